/**
 * KrakenD CE's environment overrides (krakend-koanf): after the file is parsed, every variable
 * `KRAKEND_<KEY>` replaces the top-level key `<key>` (lower-cased, prefix removed), and the
 * result is decoded into lura's ServiceConfig with mapstructure's weak typing: "8081" becomes the
 * int 8081, "true"/"1"/"t" the bool true, a string the one-element host list, durations stay
 * strings ("3s"). Only top-level keys: nested ones (endpoints, extra_config) cannot be reached,
 * and an object key given a string fails to decode — refused here with the variable's name.
 * Unknown keys are ignored, as mapstructure ignores them.
 */
import { configError, type Problem } from '../../core/errors.ts'

export const KRAKEND_ENV_PREFIX = 'KRAKEND_'

type Kind = 'string' | 'int' | 'bool' | 'duration' | 'strings' | 'object'

/** lura's ServiceConfig fields by their mapstructure key. */
export const KRAKEND_ENV_KEYS: Record<string, Kind> = {
  name: 'string',
  version: 'int',
  port: 'int',
  listen_ip: 'string',
  host: 'strings',
  timeout: 'duration',
  cache_ttl: 'duration',
  output_encoding: 'string',
  read_timeout: 'duration',
  write_timeout: 'duration',
  idle_timeout: 'duration',
  read_header_timeout: 'duration',
  max_header_bytes: 'int',
  disable_keep_alives: 'bool',
  disable_compression: 'bool',
  max_idle_connections: 'int',
  max_idle_connections_per_host: 'int',
  idle_connection_timeout: 'duration',
  response_header_timeout: 'duration',
  expect_continue_timeout: 'duration',
  dialer_timeout: 'duration',
  dialer_fallback_delay: 'duration',
  dialer_keep_alive: 'duration',
  disable_rest: 'bool',
  use_h2c: 'bool',
  debug_endpoint: 'bool',
  echo_endpoint: 'bool',
  sequential_start: 'bool',
  allow_insecure_connections: 'bool',
  dns_cache_ttl: 'duration',
  max_shutdown_wait_time: 'duration',
  endpoints: 'object',
  async_agent: 'object',
  extra_config: 'object',
  plugin: 'object',
  tls: 'object',
  client_tls: 'object',
}

/** strconv.ParseBool, which mapstructure's weak decoding uses ("" is false). */
function parseGoBool(raw: string): boolean | undefined {
  if (raw === '') return false
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false
  return undefined
}

/** strconv.ParseInt(s, 0, 64) as weak decoding uses it: base prefixes, underscores only with one ("" is 0). */
function parseGoInt(raw: string): number | undefined {
  if (raw === '') return 0
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[0-7_]*|[1-9][0-9]*)$/.exec(raw)
  if (!m) return undefined
  const sign = m[1] === '-' ? -1 : 1
  const digits = m[2] as string
  if (digits.includes('_') && !/^0[xXbBoO]?/.test(digits)) return undefined
  const clean = digits.replaceAll('_', '')
  const value = /^0[0-7]+$/.test(clean) ? Number.parseInt(clean.slice(1), 8) : Number(clean)
  return Number.isSafeInteger(value) ? sign * value : undefined
}

/**
 * Applies KRAKEND_* variables to a parsed config document (a copy is returned). Problems name the
 * variable; the caller reports them as configuration errors (KrakenD fails to start too).
 */
export function applyKrakendEnv(
  document: unknown,
  environ: Record<string, string | undefined>,
): { value: unknown; applied: string[]; problems: Problem[] } {
  if (document === null || typeof document !== 'object' || Array.isArray(document))
    return { value: document, applied: [], problems: [] }
  const value: Record<string, unknown> = { ...(document as Record<string, unknown>) }
  const applied: string[] = []
  const problems: Problem[] = []
  for (const variable of Object.keys(environ).sort()) {
    if (!variable.startsWith(KRAKEND_ENV_PREFIX)) continue
    const raw = environ[variable]
    if (raw === undefined) continue
    const key = variable.slice(KRAKEND_ENV_PREFIX.length).toLowerCase()
    const kind = Object.hasOwn(KRAKEND_ENV_KEYS, key) ? KRAKEND_ENV_KEYS[key] : undefined
    if (!kind) continue
    const where = { location: { path: `$env.${variable}` } }
    switch (kind) {
      case 'object':
        problems.push({
          message: `${variable} cannot override "${key}": it is an object or list, and KrakenD's environment overrides only replace top-level values (KrakenD fails to decode it too)`,
          hint: `Unset ${variable}; use flexible configuration ({{ env "NAME" }} in the config template) for nested values.`,
          ...where,
        })
        continue
      case 'int': {
        const n = parseGoInt(raw)
        if (n === undefined) {
          problems.push({ message: `${variable} is not an integer (it overrides "${key}")`, ...where })
          continue
        }
        value[key] = n
        break
      }
      case 'bool': {
        const b = parseGoBool(raw)
        if (b === undefined) {
          problems.push({
            message: `${variable} is not a boolean (it overrides "${key}"; use true/false, 1/0, t/f)`,
            ...where,
          })
          continue
        }
        value[key] = b
        break
      }
      case 'strings':
        value[key] = [raw]
        break
      default:
        value[key] = raw
    }
    applied.push(variable)
  }
  return { value, applied, problems }
}

/** applyKrakendEnv, throwing one configError (exit 2) for every problem. */
export function applyKrakendEnvOrThrow(
  document: unknown,
  environ: Record<string, string | undefined>,
  file: string,
) {
  const result = applyKrakendEnv(document, environ)
  if (result.problems.length > 0)
    throw configError(
      `${file}: ${result.problems.length} bad KRAKEND_* environment override${result.problems.length === 1 ? '' : 's'}`,
      {
        problems: result.problems,
      },
    )
  return result
}
