/** Smoke checks: requests through the preview route with an expected status and body fragment. */
export interface SmokeCheck {
  name?: string | undefined
  method: string
  path: string
  status: number
  bodyContains?: string | undefined
  headers?: Record<string, string>
}

export interface SmokeResult {
  check: string
  ok: boolean
  detail: string
}

const smokeLabel = (check: SmokeCheck) => check.name ?? `${check.method} ${check.path}`

export async function runSmokeChecks(
  base: URL,
  checks: SmokeCheck[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<SmokeResult[]> {
  const results: SmokeResult[] = []
  for (const check of checks) {
    const label = smokeLabel(check)
    const timeout = AbortSignal.timeout(timeoutMs)
    try {
      const response = await fetch(new URL(check.path, base), {
        method: check.method,
        headers: check.headers ?? {},
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      })
      const body = await response.text()
      if (response.status !== check.status) {
        results.push({
          check: label,
          ok: false,
          detail: `answered ${response.status}, expected ${check.status}: ${body.slice(0, 200)}`,
        })
      } else if (check.bodyContains !== undefined && !body.includes(check.bodyContains)) {
        results.push({
          check: label,
          ok: false,
          detail: `body does not contain ${JSON.stringify(check.bodyContains)}: ${body.slice(0, 200)}`,
        })
      } else results.push({ check: label, ok: true, detail: `${response.status}` })
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      const cause = (error as { cause?: { code?: string } }).cause
      results.push({
        check: label,
        ok: false,
        detail: timeout.aborted
          ? `no answer within ${timeoutMs} ms`
          : `failed: ${cause?.code ?? (error as Error).message}`,
      })
    }
  }
  return results
}
