/**
 * The maintenance switch: `gwdeploy maintenance on` makes the router answer every live request
 * with a page (503 and Retry-After by default) instead of routing; `off` routes again with the
 * split that was there before (maintenance never touches the split, so there is nothing to
 * restore but the routing itself). The state lives in the provider's router (front proxy file,
 * HAProxy map + config, ALB rule), so `status` on any machine shows it.
 *
 * Maintenance does not take the release lock: it must work during a freeze or a stuck release.
 * A release during maintenance keeps the page up (the gate and smoke checks use the preview
 * route, which maintenance leaves alone); `gwdeploy maintenance off` lifts it.
 */
import { statSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import type { MaintenancePage, MaintenanceState } from '../providers/types.ts'
import { isGwError, usageError } from './errors.ts'
import { readConfigText } from './source-text.ts'
import { lockHolder, type Target } from './target.ts'

export const DEFAULT_BODY = `${JSON.stringify({
  status: 'maintenance',
  message: 'The service is down for maintenance. Please retry later.',
})}\n`
export const DEFAULT_RETRY_AFTER = 120
/** Every router keeps the page in memory or in its config; an ALB fixed response holds 1024 bytes. */
const MAX_BODY = 64 * 1024

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.text': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.css': 'text/css',
  '.js': 'application/javascript',
}

export interface PageOptions {
  /** The page file (relative to the current directory); default the JSON body above. */
  file?: string | undefined
  status?: number | undefined
  /** Seconds; 0 leaves the header out. */
  retryAfter?: number | undefined
  contentType?: string | undefined
  cwd?: string
}

/** The page to serve, checked before anything changes (exit 2 names what is wrong). */
export function maintenancePage(options: PageOptions): MaintenancePage {
  const status = options.status ?? 503
  if (!Number.isInteger(status) || status < 400 || status > 599)
    throw usageError(`--status ${status} is not an error status`, {
      hint: 'Use a 4xx or 5xx code; 503 (Service Unavailable) is what clients and caches expect.',
    })
  const retryAfter = options.retryAfter ?? DEFAULT_RETRY_AFTER
  let body = DEFAULT_BODY
  let contentType = 'application/json'
  if (options.file) {
    const file = resolve(options.cwd ?? process.cwd(), options.file)
    const hint = `Give the path of an HTML, JSON or text file of at most ${MAX_BODY / 1024} KB.`
    let size: number
    try {
      const stats = statSync(file)
      size = stats.isFile() ? stats.size : 0
    } catch (error) {
      throw usageError(`--page ${options.file}: cannot read it (${(error as NodeJS.ErrnoException).code})`, {
        hint,
      })
    }
    if (size > MAX_BODY)
      throw usageError(`--page ${options.file} is ${size} bytes; a maintenance page can have ${MAX_BODY}`, {
        hint,
      })
    // The reader the configs go through: a FIFO, device or directory is refused before anything
    // opens it (a FIFO would block forever, /dev/urandom never ends), and so is a binary file.
    try {
      body = readConfigText(file, options.file, MAX_BODY, hint)
    } catch (error) {
      if (!isGwError(error)) throw error
      throw usageError(`--page ${error.message}`, { hint })
    }
    const known = TYPES[extname(file).toLowerCase()]
    if (!known && !options.contentType)
      throw usageError(`--page ${options.file}: cannot tell its content type from the extension`, {
        hint: `Name it .html, .json or .txt, or give --content-type.`,
      })
    contentType = known ?? contentType
  }
  if (options.contentType !== undefined) {
    if (!/^[\w.+-]+\/[\w.+-]+(;\s*[\w-]+=[\w.-]+)?$/.test(options.contentType))
      throw usageError(`--content-type ${options.contentType} is not a media type`, {
        hint: 'E.g. text/html; charset=utf-8 or application/json.',
      })
    contentType = options.contentType
  }
  return { status, contentType, body, ...(retryAfter > 0 ? { retryAfter } : {}) }
}

function supported(target: Target): NonNullable<Target['provider']['setMaintenance']> {
  const { provider } = target
  if (!provider.setMaintenance)
    throw usageError(`${provider.id}: gwdeploy cannot serve a maintenance page here`, {
      hint: provider.maintenanceUnsupported,
    })
  return provider.setMaintenance.bind(provider)
}

export interface MaintenanceResult {
  /** What the router serves now, as read back from it. */
  maintenance: MaintenanceState | null
  /** False when it already was in the asked state with the same page. */
  changed: boolean
  /** What the router could not do as asked (e.g. an ALB sends no Retry-After). */
  warnings: string[]
}

const samePage = (a: MaintenancePage, b: MaintenancePage) =>
  a.status === b.status &&
  a.contentType === b.contentType &&
  a.body === b.body &&
  a.retryAfter === b.retryAfter

/** `signal` (the run's interrupt) stops the reads and the switch: a router that does not answer does not hold Ctrl-C. */
export async function maintenanceOn(
  target: Target,
  page: MaintenancePage,
  signal?: AbortSignal,
): Promise<MaintenanceResult> {
  const set = supported(target)
  const options = signal ? { signal } : {}
  const current = (await target.provider.inspect(options)).maintenance
  if (current && samePage(current, page)) return { maintenance: current, changed: false, warnings: [] }
  const state: MaintenanceState = {
    ...page,
    since: new Date().toISOString(),
    by: lockHolder(process.env, false),
  }
  await set(state, options)
  const served = (await target.provider.inspect(options)).maintenance ?? null
  const warnings: string[] = []
  if (page.retryAfter !== undefined && served?.retryAfter === undefined)
    warnings.push(
      `${target.provider.id}: the router cannot send a Retry-After header; clients get the page without it`,
    )
  if (served && served.contentType !== page.contentType)
    warnings.push(
      `${target.provider.id}: the page is served as ${served.contentType} (asked: ${page.contentType})`,
    )
  return { maintenance: served, changed: true, warnings }
}

export async function maintenanceOff(target: Target, signal?: AbortSignal): Promise<MaintenanceResult> {
  const set = supported(target)
  const options = signal ? { signal } : {}
  const current = (await target.provider.inspect(options)).maintenance
  if (!current) return { maintenance: null, changed: false, warnings: [] }
  await set(null, options)
  return { maintenance: null, changed: true, warnings: [] }
}

/** One line for `status` and the commands. */
export function describeMaintenance(state: MaintenanceState): string {
  const retry = state.retryAfter ? `, Retry-After ${state.retryAfter}` : ''
  return `MAINTENANCE: clients get ${state.status} (${state.contentType}, ${Buffer.byteLength(state.body)} bytes${retry}) since ${state.since} by ${state.by}; \`gwdeploy maintenance off\` routes again`
}

/** After a release: the reminder that clients still get the page (undefined when off or unknown). */
export async function maintenanceReminder(target: Target): Promise<string | undefined> {
  if (!target.provider.setMaintenance) return undefined
  const state = await target.provider.inspect().then(
    (s) => s.maintenance,
    () => undefined,
  )
  if (!state) return undefined
  return `maintenance is still on (since ${state.since}): clients get the ${state.status} page, not this release; \`gwdeploy maintenance off\` routes to it`
}
