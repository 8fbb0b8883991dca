/**
 * The health gate: every node must answer GET <path> with 200 (and, with expectName, report
 * the stamped config `name`) `rise` times in a row, each check within `timeout`, all nodes
 * within `deadline`. Nodes are checked in parallel, every `interval`.
 */
export interface HealthGateSettings {
  path: string
  intervalMs: number
  timeoutMs: number
  rise: number
  deadlineMs: number
  /** When set, the node must report exactly this config name. */
  expectName?: string | undefined
}

export interface GateTarget {
  node: string
  url: URL
}

export interface ProbeResult {
  ok: boolean
  status?: number
  name?: string
  detail: string
}

export interface NodeGateResult {
  node: string
  ok: boolean
  checks: number
  /** Why the last failing check failed (or why the node was given up on). */
  detail: string
}

export interface GateOptions {
  signal?: AbortSignal | undefined
  onNode?: (node: string, status: 'pending' | 'healthy' | 'unhealthy', detail: string) => void
  /** Asked after each failed check: a reason ends this node's gate at once (e.g. its process exited). */
  fatal?: (node: string) => Promise<string | undefined>
}

export async function probe(
  base: URL,
  path: string,
  timeoutMs: number,
  expectName?: string,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const url = new URL(path, base)
  const timeout = AbortSignal.timeout(timeoutMs)
  try {
    const response = await fetch(url, {
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headers: { accept: 'application/json' },
    })
    const text = await response.text()
    let name: string | undefined
    try {
      const body = JSON.parse(text) as { name?: unknown }
      if (typeof body.name === 'string') name = body.name
    } catch {}
    if (response.status !== 200) {
      return {
        ok: false,
        status: response.status,
        ...(name ? { name } : {}),
        detail: `GET ${url.pathname} answered ${response.status}`,
      }
    }
    if (expectName !== undefined && name !== expectName) {
      return {
        ok: false,
        status: 200,
        ...(name ? { name } : {}),
        detail: `reports config name ${name === undefined ? '(none)' : JSON.stringify(name)}, expected ${JSON.stringify(expectName)}`,
      }
    }
    return { ok: true, status: 200, ...(name ? { name } : {}), detail: 'ok' }
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    const reason = timeout.aborted
      ? `no answer within ${timeoutMs} ms`
      : (cause?.code ?? cause?.message ?? (error as Error).message)
    return { ok: false, detail: `GET ${url.pathname} failed: ${reason}` }
  }
}

export async function runHealthGate(
  targets: GateTarget[],
  settings: HealthGateSettings,
  options: GateOptions = {},
): Promise<{ ok: boolean; nodes: NodeGateResult[] }> {
  const deadline = Date.now() + settings.deadlineMs
  const nodes = await Promise.all(targets.map((target) => gateOne(target, settings, deadline, options)))
  return { ok: nodes.every((n) => n.ok), nodes }
}

async function gateOne(
  target: GateTarget,
  settings: HealthGateSettings,
  deadline: number,
  options: GateOptions,
): Promise<NodeGateResult> {
  let streak = 0
  let checks = 0
  let detail = 'not checked yet'
  // The last failure where the node did answer ("answered 503", "reports name ..."): more
  // telling than a later timeout, so it is kept in the report.
  let answered: string | undefined
  options.onNode?.(target.node, 'pending', 'waiting for health')
  for (;;) {
    if (options.signal?.aborted) throw options.signal.reason
    // The last check may end up to one timeout after the deadline: shrinking it would only
    // replace a useful failure ("answered 503") with a meaningless timeout.
    const result = await probe(
      target.url,
      settings.path,
      settings.timeoutMs,
      settings.expectName,
      options.signal,
    )
    checks += 1
    if (result.ok) {
      streak += 1
      if (streak >= settings.rise) {
        options.onNode?.(target.node, 'healthy', `${streak}/${settings.rise} checks passed`)
        return { node: target.node, ok: true, checks, detail: 'healthy' }
      }
    } else {
      streak = 0
      detail = result.detail
      if (result.status !== undefined) answered = result.detail
      const fatal = await options.fatal?.(target.node)
      if (fatal) {
        options.onNode?.(target.node, 'unhealthy', fatal)
        return { node: target.node, ok: false, checks, detail: `${fatal} (last check: ${detail})` }
      }
    }
    if (Date.now() + settings.intervalMs > deadline) {
      let why = result.ok ? `only ${streak}/${settings.rise} consecutive successes` : detail
      if (answered && answered !== why) why += ` (earlier: ${answered})`
      options.onNode?.(target.node, 'unhealthy', why)
      return {
        node: target.node,
        ok: false,
        checks,
        detail: `not healthy within ${settings.deadlineMs} ms: ${why}`,
      }
    }
    await sleep(settings.intervalMs, options.signal)
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
