import { parseArgs } from 'node:util'
import { formatError, isGwError, usageError } from '../core/errors.ts'
import { MAX_TIMER_MS, parseDuration } from './config/duration.ts'
import { parseLogLevel } from './logging.ts'
import { parsePeers } from './revoker/peer-addresses.ts'
import { type RunOptions, runGateway } from './runtime.ts'
import { GATEWAY_VERSION } from './version.ts'

export const USAGE = `Usage: gateway --config FILE [options]

Serves a KrakenD v3 configuration (HTTP/1.1 and h2c on one port).

Options (each wins over the config file; env in brackets):
  -c, --config FILE          gateway config, JSON or YAML            [GATEWAY_CONFIG]
      --port N               listen port (config "port", 8080)       [GATEWAY_PORT]
      --listen-ip IP         listen address (config "listen_ip")     [GATEWAY_LISTEN_IP]
      --metrics-port N       Prometheus /metrics port, 0 = off       [GATEWAY_METRICS_PORT]
      --revoker-port N       auth/revoker's Go net/rpc port, 0 = any [GATEWAY_REVOKER_PORT]
      --revoker-peers LIST   HOST:PORT,... whose revocations are taken
                             before serving, then pulled every 15s  [GATEWAY_REVOKER_PEERS]
      --workers N            worker processes, 0 = one per core      [GATEWAY_WORKERS]
      --drain-grace DUR      503 health before closing (5s)          [GATEWAY_DRAIN_GRACE]
      --drain-timeout DUR    max wait for in-flight requests         [GATEWAY_DRAIN_TIMEOUT]
                             (config max_shutdown_wait_time; none: no limit)
      --log-level LEVEL      DEBUG INFO WARNING ERROR CRITICAL       [GATEWAY_LOG_LEVEL]
  -h, --help                 this text
      --version              runtime version

SIGTERM/SIGINT: health turns 503, after the grace the listener closes, in-flight requests
finish, exit 0. A second signal exits at once. Exit 2: bad configuration or flags.`

type Env = Record<string, string | undefined>

/** Parses flags and GATEWAY_* env into run options; throws usageError (exit 2). */
export function parseRunArgs(argv: string[], env: Env = process.env): RunOptions | 'help' | 'version' {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string' },
        'listen-ip': { type: 'string' },
        'metrics-port': { type: 'string' },
        'revoker-port': { type: 'string' },
        'revoker-peers': { type: 'string' },
        workers: { type: 'string' },
        'drain-grace': { type: 'string' },
        'drain-timeout': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    throw usageError((error as Error).message, { hint: 'see --help' })
  }
  if (values.help) return 'help'
  if (values.version) return 'version'
  const pick = (flag: string, name: string) => {
    const v = values[flag]
    return typeof v === 'string' ? v : env[name] !== undefined && env[name] !== '' ? env[name] : undefined
  }
  const int = (flag: string, name: string, max: number) => {
    const raw = pick(flag, name)
    if (raw === undefined) return undefined
    const n = Number(raw)
    if (!Number.isInteger(n) || n < 0 || n > max)
      throw usageError(`--${flag} must be an integer 0..${max}, got "${raw}"`)
    return n
  }
  const duration = (flag: string, name: string) => {
    const raw = pick(flag, name)
    if (raw === undefined) return undefined
    const ms = parseDuration(raw)
    if (ms === undefined || ms > MAX_TIMER_MS)
      throw usageError(`--${flag} must be a duration like 5s or 500ms, at most 24.8 days, got "${raw}"`)
    return ms
  }
  const configFile = pick('config', 'GATEWAY_CONFIG')
  if (!configFile) throw usageError('missing --config FILE', { hint: 'see --help' })
  const options: RunOptions = { configFile }
  const port = int('port', 'GATEWAY_PORT', 65535)
  if (port !== undefined) options.port = port
  const listenIp = pick('listen-ip', 'GATEWAY_LISTEN_IP')
  if (listenIp !== undefined) options.listenIp = listenIp
  const metricsPort = int('metrics-port', 'GATEWAY_METRICS_PORT', 65535)
  if (metricsPort !== undefined) options.metricsPort = metricsPort
  const revokerPort = int('revoker-port', 'GATEWAY_REVOKER_PORT', 65535)
  if (revokerPort !== undefined) options.revokerPort = revokerPort
  const peers = pick('revoker-peers', 'GATEWAY_REVOKER_PEERS')
  if (peers !== undefined) {
    try {
      options.revokerPeers = parsePeers(peers)
    } catch (error) {
      throw usageError(`--revoker-peers: ${(error as Error).message}`)
    }
  }
  const workers = int('workers', 'GATEWAY_WORKERS', 1024)
  if (workers !== undefined) options.workers = workers
  const grace = duration('drain-grace', 'GATEWAY_DRAIN_GRACE')
  if (grace !== undefined) options.drainGraceMs = grace
  const timeout = duration('drain-timeout', 'GATEWAY_DRAIN_TIMEOUT')
  if (timeout !== undefined) options.drainTimeoutMs = timeout
  const levelRaw = pick('log-level', 'GATEWAY_LOG_LEVEL')
  if (levelRaw !== undefined) {
    const level = parseLogLevel(levelRaw)
    if (!level)
      throw usageError(`--log-level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got "${levelRaw}"`)
    options.logLevel = level
  }
  return options
}

/** The standalone runtime: `node gateway.cjs --config FILE ...`. Never returns until stopped. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    const parsed = parseRunArgs(argv)
    if (parsed === 'help') {
      process.stdout.write(`${USAGE}\n`)
      return
    }
    if (parsed === 'version') {
      process.stdout.write(`${GATEWAY_VERSION}\n`)
      return
    }
    // Listening for signals before the start: a SIGTERM while the workers start (an orchestrator
    // giving up on a slow pod) drains once they are up, instead of killing the primary outright.
    let running: Awaited<ReturnType<typeof runGateway>> | undefined
    let signals = 0
    // A start still waiting for its revoker peers has served nothing: a signal ends it there.
    const beforeServing = new AbortController()
    const onSignal = () => {
      signals += 1
      if (signals > 1) process.exit(130)
      running?.stop()
      beforeServing.abort()
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
    running = await runGateway({ ...parsed, signal: beforeServing.signal }).catch((error: unknown) => {
      if (!beforeServing.signal.aborted || isGwError(error)) throw error
      process.stderr.write(`stopped before serving: ${(error as Error).message}\n`)
      process.exit(0)
    })
    if (signals > 0) running.stop()
    const code = await running.done
    process.exit(code)
  } catch (error) {
    if (isGwError(error)) {
      process.stderr.write(`Error: ${formatError(error)}\n`)
      process.exit(error.exitCode)
    }
    process.stderr.write(`Error: unexpected: ${(error as Error)?.stack ?? String(error)}\n`)
    process.exit(1)
  }
}
