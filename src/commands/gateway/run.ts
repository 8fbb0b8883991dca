import { Flags } from '@oclif/core'
import { BaseCommand, type RunContext } from '../../cli/base-command.ts'

export default class GatewayRun extends BaseCommand<typeof GatewayRun, { exitCode: number }> {
  static override summary = 'Run the gateway runtime on a KrakenD v3 configuration'
  static override description =
    `Serves HTTP/1.1 and h2c (prior knowledge) on one port, /__health with the config name, \
Prometheus metrics on --metrics-port. SIGTERM/SIGINT: health turns 503 for --drain-grace, then the listener closes and \
in-flight requests finish (at most --drain-timeout); a second signal exits at once. Flags override the config file.`
  static override examples = [
    '<%= config.bin %> gateway run -c gateway.json',
    '<%= config.bin %> gateway run -c gateway.json --port 8080 --workers 1 --metrics-port 9091',
  ]
  static override flags = {
    config: Flags.string({ char: 'c', description: 'gateway config file (JSON or YAML)', required: true }),
    port: Flags.integer({
      description: 'listen port (default: config "port", else 8080)',
      min: 0,
      max: 65535,
    }),
    'listen-ip': Flags.string({ description: 'listen address (default: config "listen_ip", else 0.0.0.0)' }),
    'metrics-port': Flags.integer({ description: 'Prometheus /metrics port; 0 = off', min: 0, max: 65535 }),
    'revoker-port': Flags.integer({
      description: 'auth/revoker\'s Go net/rpc port (default: its "port"); 0 = any free port',
      min: 0,
      max: 65535,
    }),
    workers: Flags.integer({ description: 'worker processes; 0 = one per core (default)', min: 0 }),
    'drain-grace': Flags.string({
      description: 'how long health answers 503 before the listener closes (5s)',
    }),
    'drain-timeout': Flags.string({
      description:
        "maximum wait for in-flight requests after that (the config's max_shutdown_wait_time; none: no limit, as KrakenD)",
    }),
    'log-level': Flags.string({
      description: 'log level',
      options: ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'],
    }),
  }

  protected async execute(ctx: RunContext): Promise<{ exitCode: number }> {
    const { parseRunArgs, runGateway } = await import('../../gateway/index.ts')
    const f = this.flags
    const argv = ['--config', f.config]
    if (f.port !== undefined) argv.push('--port', String(f.port))
    if (f['listen-ip'] !== undefined) argv.push('--listen-ip', f['listen-ip'])
    if (f['metrics-port'] !== undefined) argv.push('--metrics-port', String(f['metrics-port']))
    if (f['revoker-port'] !== undefined) argv.push('--revoker-port', String(f['revoker-port']))
    if (f.workers !== undefined) argv.push('--workers', String(f.workers))
    if (f['drain-grace'] !== undefined) argv.push('--drain-grace', f['drain-grace'])
    if (f['drain-timeout'] !== undefined) argv.push('--drain-timeout', f['drain-timeout'])
    if (f['log-level'] !== undefined) argv.push('--log-level', f['log-level'])
    const options = parseRunArgs(argv)
    if (typeof options === 'string') return { exitCode: 0 }
    const running = await runGateway(options)
    if (ctx.signal.aborted) running.stop()
    else ctx.signal.addEventListener('abort', () => running.stop(), { once: true })
    const exitCode = await running.done
    return { exitCode }
  }
}
