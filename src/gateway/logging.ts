import type { LogFormat, LogLevel } from './config/types.ts'

export const LEVELS: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 }

type Fields = Record<string, unknown>
type LogFn = (message: string, fields?: Fields) => void

export interface Logger {
  readonly level: LogLevel
  debug: LogFn
  info: LogFn
  warning: LogFn
  error: LogFn
  critical: LogFn
  /** Access log line; a no-op when disabled. */
  access: (method: string, path: string, status: number, ms: number, remote: string | undefined) => void
  isEnabled(level: LogLevel): boolean
  flush(): void
}

export interface LoggerOptions {
  level: LogLevel
  format: LogFormat
  prefix: string
  accessLog: boolean
  /** router.logger_skip_paths: request paths (without the query) the access log leaves out. */
  skipPaths?: string[]
  /** Where lines go; default process.stdout. */
  out?: LogOutput
}

/** A writable stream as far as the logger uses it. */
export interface LogOutput {
  write(chunk: string): unknown
  /** Bytes written but not yet taken by the reader. */
  readonly writableLength: number
}

/**
 * Output Node may hold for a reader that does not keep up before lines are dropped. Writes to a pipe
 * (Docker's and Kubernetes' log collectors) are queued in memory once the pipe is full: a collector
 * that stalls would otherwise grow the process until it is killed. KrakenD (Go) blocks instead,
 * which Node cannot do without stopping every request.
 */
export const MAX_PENDING_OUTPUT = 8 * 1024 * 1024

const noop = () => {}

/**
 * KrakenD-style levelled logger. Disabled levels are shared no-op functions, so a DEBUG call in
 * the hot path costs one call; enabled lines are batched and written once per event-loop turn.
 */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = LEVELS[options.level]
  const out = options.out ?? process.stdout
  let buffer = ''
  let scheduled = false
  let dropped = 0
  const flush = () => {
    scheduled = false
    if (buffer === '') return
    const lines = buffer
    buffer = ''
    if (out.writableLength > MAX_PENDING_OUTPUT) {
      dropped += countLines(lines)
      return
    }
    if (dropped > 0) {
      out.write(format('ERROR', `dropped ${dropped} log lines: the output (stdout) was not read fast enough`))
      dropped = 0
    }
    out.write(lines)
  }
  const push = (line: string) => {
    buffer += line
    if (buffer.length > 65_536) flush()
    else if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
  }
  const json = options.format === 'json'
  const prefix = options.prefix
  const format = (level: LogLevel, message: string, fields?: Fields): string => {
    if (json)
      return `${JSON.stringify({ time: new Date().toISOString(), level, prefix, msg: message, ...fields })}\n`
    let line = `${timestamp()} ${prefix} ▶ ${level.padEnd(7)} ${message}`
    if (fields)
      for (const [k, v] of Object.entries(fields))
        line += ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`
    return `${line}\n`
  }
  const make = (level: LogLevel): LogFn =>
    LEVELS[level] < threshold ? noop : (message, fields) => push(format(level, message, fields))
  const accessEnabled = options.accessLog && LEVELS.INFO >= threshold
  const access: Logger['access'] = !accessEnabled
    ? noop
    : json
      ? (method, path, status, ms, remote) =>
          push(
            `{"time":"${new Date().toISOString()}","level":"INFO","prefix":${JSON.stringify(prefix)},"msg":"access","method":"${method}","path":${JSON.stringify(path)},"status":${status},"ms":${ms.toFixed(3)},"remote":"${remote ?? ''}"}\n`,
          )
      : (method, path, status, ms, remote) =>
          push(
            `${timestamp()} ${prefix} ▶ ACCESS  | ${status} | ${ms.toFixed(3)}ms | ${remote ?? '-'} | ${method} ${JSON.stringify(path)}\n`,
          )
  const skip = new Set(options.skipPaths)
  const logged: Logger['access'] =
    skip.size === 0 || access === noop
      ? access
      : (method, path, status, ms, remote) => {
          const q = path.indexOf('?')
          if (!skip.has(q === -1 ? path : path.slice(0, q))) access(method, path, status, ms, remote)
        }
  return {
    level: options.level,
    debug: make('DEBUG'),
    info: make('INFO'),
    warning: make('WARNING'),
    error: make('ERROR'),
    critical: make('CRITICAL'),
    access: logged,
    isEnabled: (level) => LEVELS[level] >= threshold,
    flush,
  }
}

function countLines(text: string): number {
  let n = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n += 1
  return n
}

function timestamp(): string {
  const d = new Date()
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
}

export function parseLogLevel(text: string): LogLevel | undefined {
  const upper = text.toUpperCase()
  const level = upper === 'WARN' ? 'WARNING' : upper
  return level in LEVELS ? (level as LogLevel) : undefined
}
