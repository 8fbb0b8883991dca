import { Flags } from '@oclif/core'
import { BaseCommand, type RunContext } from '../../cli/base-command.ts'
import { configError, formatProblem, type Problem } from '../../core/errors.ts'

interface CheckResult {
  file: string
  name: string
  endpoints: number
  errors: Problem[]
  warnings: Problem[]
}

export default class GatewayCheck extends BaseCommand<typeof GatewayCheck, CheckResult> {
  static override summary = 'Check a KrakenD v3 gateway configuration'
  static override description =
    `Validates the file exactly as the gateway runtime would at startup (version, endpoints, \
backends, url_pattern parameters, hosts, reserved paths, duplicates, no-op rules) and warns about likely typos of known \
keys and KrakenD v2 leftovers (headers_to_pass, querystring_params, whitelist, blacklist) that a v3 gateway silently \
ignores. Exit 2 when the config is invalid (or, with --lint, has warnings).`
  static override examples = [
    '<%= config.bin %> gateway check -c gateway.json',
    '<%= config.bin %> gateway check -c gateway.yaml --lint --json',
  ]
  static override flags = {
    config: Flags.string({ char: 'c', description: 'gateway config file (JSON or YAML)', required: true }),
    lint: Flags.boolean({ description: 'treat warnings (typos, v2 leftovers) as errors' }),
  }

  protected async execute(ctx: RunContext): Promise<CheckResult> {
    const { checkGatewayConfigFile } = await import('../../gateway/config/load.ts')
    const file = this.flags.config
    // As `krakend check`: FC_ENABLE renders a flexible-config template, KRAKEND_* override top-level keys.
    const result = checkGatewayConfigFile(file, { environ: process.env })
    const problems = this.flags.lint ? [...result.errors, ...result.warnings] : result.errors
    if (problems.length > 0) {
      if (!this.flags.lint) for (const w of result.warnings) ctx.warn(formatProblem(w))
      throw configError(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, {
        problems,
        hint:
          this.flags.lint && result.errors.length === 0
            ? 'fix the warnings or drop --lint'
            : 'fix the problems listed above',
      })
    }
    for (const w of result.warnings) ctx.warn(formatProblem(w))
    return {
      file,
      name: result.config?.name ?? '',
      endpoints: result.config?.endpoints.length ?? 0,
      errors: [],
      warnings: result.warnings,
    }
  }

  protected override render(result: CheckResult): string {
    const w = result.warnings.length
    return `${result.file}: ok — "${result.name}", ${result.endpoints} endpoint${result.endpoints === 1 ? '' : 's'}${w ? `, ${w} warning${w === 1 ? '' : 's'}` : ''}`
  }
}
