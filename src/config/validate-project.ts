import { existsSync, statSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import {
  MAX_GATEWAY_CONFIG_BYTES,
  parseSourceDocument,
  readConfigText,
  type SourceDocument,
} from '../core/document.ts'
import { configError, type Problem } from '../core/errors.ts'
import { locatedInProject } from '../core/project-location.ts'
import { formatKeyPath, parseKeyPath } from '../core/source-text.ts'
import { fleetEnvStartProblems, setsKrakendEnv } from './fleet-env.ts'
import { classifyNamespace, forEachNamespace } from './gateway-namespaces.ts'
import { healthGateProblem } from './health-gate-check.ts'
import { loadConfig, resolveConfigPath } from './load.ts'
import { revokerPortProblem } from './revoker-port.ts'
import { checkStateDir } from './state-dir.ts'

export interface ValidationSummary {
  files: string[]
  service: string
  provider: string
  fleetSize: number
  gatewayConfig: string
}

/**
 * `config validate`: the schema, plus the files the config points at, plus what the nodes would
 * refuse at start (fleet.env), plus the gateway config as release's stamp step checks it (with a
 * stand-in SHA): a config `release` refuses is never reported valid.
 */
export async function validateProjectConfig(options: {
  cwd?: string
  file?: string
  env?: string
  environ?: NodeJS.ProcessEnv
  /** What release would warn about (an endpoint the runtime drops, a limit counted per worker). */
  warn?: (problem: Problem) => void
}): Promise<ValidationSummary> {
  const cwd = options.cwd ?? process.cwd()
  const loaded = loadConfig({ ...options, cwd })
  await refuseFleetEnvProblems(loaded, options.environ)
  const gatewayConfig = resolveConfigPath(loaded, loaded.config.gateway.config)
  const notAFile = !existsSync(gatewayConfig)
    ? 'which does not exist'
    : statSync(gatewayConfig).isDirectory()
      ? 'which is a directory'
      : undefined
  if (notAFile) {
    throw configError(`gateway.config points at ${loaded.config.gateway.config}, ${notAFile}`, {
      location: { file: relative(cwd, loaded.files[0] ?? ''), path: 'gateway.config' },
      hint: 'Point it at your KrakenD v3 file (relative to gwdeploy.yml), or run `gwdeploy init` to write a starter gateway.json.',
    })
  }
  checkStateDir(resolve(loaded.dir, loaded.config.provider.local.stateDir), loaded.files[0] ?? 'gwdeploy.yml')
  // Local nodes always run our runtime; image providers run image.runtime.
  const runtime = loaded.config.provider.kind === 'local' ? 'bundled' : loaded.config.image.runtime
  const shown = relative(cwd, gatewayConfig) || gatewayConfig
  if (loaded.config.gateway.flexibleConfig) {
    // A flexible-config template is JSON only once rendered (`"port": {{ .service.port }}`): it is
    // checked as release renders and stamps it, the rendered config by key path.
    const stamped = await checkAsStamped(loaded, runtime, gatewayConfig)
    checkGatewayDocument(loaded, runtime, renderedDocument(stamped, shown))
    for (const warning of stamped.warningProblems) options.warn?.(warning)
  } else {
    const doc = parseSourceDocument(readConfigText(gatewayConfig, shown, MAX_GATEWAY_CONFIG_BYTES), shown)
    checkGatewayDocument(loaded, runtime, doc)
    const stamped = await checkAsStamped(loaded, runtime, gatewayConfig)
    for (const warning of stamped.warningProblems) options.warn?.(warning)
  }
  return {
    files: loaded.files.map((f) => relative(cwd, f) || f),
    service: loaded.config.service,
    provider: loaded.config.provider.kind,
    fleetSize: loaded.config.fleet.size,
    gatewayConfig: relative(cwd, gatewayConfig),
  }
}

/** What the nodes could not pass or publish, and components the runtime would not enforce. */
function checkGatewayDocument(
  loaded: ReturnType<typeof loadConfig>,
  runtime: 'bundled' | 'krakend',
  doc: SourceDocument,
): void {
  const unpassable = healthGateProblem(loaded.config, runtime, doc.value, doc.file)
  if (unpassable) throw locatedInProject(unpassable, loaded.locate)
  const unpublishable =
    loaded.config.provider.kind !== 'local' &&
    revokerPortProblem(doc.value, doc.file, loaded.config.fleet.port)
  if (unpublishable) throw unpublishable
  refuseUnenforcedNamespaces(doc, runtime)
}

/** A rendered template: its problems are named by key path, where the template (or a partial) wrote the key. */
function renderedDocument(
  stamped: { config: Record<string, unknown>; locate: SourceDocument['locate'] },
  shown: string,
): SourceDocument {
  return {
    file: `${shown} (rendered)`,
    value: stamped.config,
    locate: (path) => ({ ...stamped.locate(path), path: formatKeyPath(path) }),
  }
}

/** What release's stamp step would refuse: the same call, a stand-in SHA for the name (gateway code, loaded here only). */
async function checkAsStamped(
  loaded: ReturnType<typeof loadConfig>,
  runtime: 'bundled' | 'krakend',
  file: string,
) {
  const [{ stampGatewayConfig }, { releaseFlexibleConfig }] = await Promise.all([
    import('../image/stamp.ts'),
    import('../core/artifacts.ts'),
  ])
  return stampGatewayConfig({
    file,
    template: loaded.config.gateway.name,
    service: loaded.config.service,
    sha: '0'.repeat(40),
    env: loaded.env,
    runtime,
    flexible: releaseFlexibleConfig(loaded.config, loaded.dir),
  })
}

/** fleet.env problems a release would refuse before anything runs (fleet-env.ts), every one located. */
async function refuseFleetEnvProblems(
  loaded: ReturnType<typeof loadConfig>,
  environ: NodeJS.ProcessEnv | undefined,
): Promise<void> {
  const { config } = loaded
  // The runtime's KRAKEND_* rules are gateway code: loaded only when there is such a variable.
  const applyKrakendEnv = setsKrakendEnv(config.fleet.env)
    ? (await import('../gateway/config/env-overrides.ts')).applyKrakendEnv
    : undefined
  const issues = fleetEnvStartProblems(config.fleet, {
    provider: config.provider.kind,
    dir: loaded.dir,
    ...(environ ? { environ } : {}),
    applyKrakendEnv,
  })
  if (issues.length === 0) return
  const problems: Problem[] = issues.map((issue) => {
    const path = `fleet.${formatKeyPath(issue.path)}`
    const location = loaded.locate(parseKeyPath(path)) ?? { file: loaded.files[0] ?? 'gwdeploy.yml' }
    return {
      message: issue.message,
      location: { ...location, path },
      ...(issue.hint ? { hint: issue.hint } : {}),
    }
  })
  const [first] = problems
  throw configError(
    issues.length === 1 && first
      ? first.message
      : `fleet.env: ${issues.length} problems the nodes would hit at start`,
    {
      ...(first?.location ? { location: first.location } : {}),
      ...(issues.length === 1 && first?.hint ? { hint: first.hint } : {}),
      ...(issues.length > 1 ? { problems } : {}),
    },
  )
}

/** A component the chosen runtime would not enforce stops here, before anything is built or run. */
function refuseUnenforcedNamespaces(doc: SourceDocument, runtime: 'bundled' | 'krakend'): void {
  const file = doc.file
  const problems: Problem[] = []
  forEachNamespace(doc.value, (namespace, level, keyPath) => {
    const verdict = classifyNamespace(namespace, level, runtime)
    if (verdict.kind === 'error')
      problems.push({ message: verdict.message, location: doc.locate(keyPath), hint: verdict.hint })
  })
  if (problems.length > 0)
    throw configError(
      `${file}: ${problems.length} extra_config namespace${problems.length === 1 ? '' : 's'} the ${runtime === 'krakend' ? 'KrakenD' : 'gateway'} runtime would not enforce`,
      { problems, hint: '`gwdeploy gateway check -c FILE` shows every problem of the gateway config' },
    )
}
