import { existsSync, statSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import {
  GATEWAY_YAML,
  MAX_GATEWAY_CONFIG_BYTES,
  parseSourceDocument,
  readConfigText,
  type SourceDocument,
} from '../core/document.ts'
import { configError, type GwError, type Problem } from '../core/errors.ts'
import { locatedInProject } from '../core/project-location.ts'
import { formatKeyPath, parseKeyPath } from '../core/source-text.ts'
import { fleetEnvStartProblems, setsKrakendEnv } from './fleet-env.ts'
import { classifyNamespace, forEachNamespace } from './gateway-namespaces.ts'
import { healthGateProblem } from './health-gate-check.ts'
import {
  type LoadedConfig,
  loadConfig,
  loadConfigDespiteProblems,
  type PartialConfig,
  resolveConfigPath,
} from './load.ts'
import { addsProblems, combineProblems, keepProblem } from './project-problems.ts'
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
 * stand-in SHA): a config `release` refuses is never reported valid. Every problem of both files
 * is reported in one run (project-problems.ts).
 */
export async function validateProjectConfig(options: ProjectCheckOptions): Promise<ValidationSummary> {
  const { summary, errors } = await collectProjectProblems(options)
  if (errors.length > 0 || !summary) throw combineProblems(errors)
  return summary
}

/**
 * A release refused for its configuration names every problem of both files, as `config validate`
 * does: the error as it is when the checks find nothing more, else all of them in one list.
 */
export async function withEveryProjectProblem(
  error: GwError,
  options: ProjectCheckOptions,
): Promise<GwError> {
  const { errors } = await collectProjectProblems(options).catch(() => ({ errors: [] as GwError[] }))
  return addsProblems(error, errors) ? combineProblems([...errors, error]) : error
}

export interface ProjectCheckOptions {
  cwd?: string
  file?: string
  env?: string
  environ?: NodeJS.ProcessEnv
  /** What release would warn about (an endpoint the runtime drops, a limit counted per worker). */
  warn?: (problem: Problem) => void
}

/** Every check, each one's configuration error kept (not thrown), so one run names them all. */
async function collectProjectProblems(
  options: ProjectCheckOptions,
): Promise<{ summary?: ValidationSummary; errors: GwError[] }> {
  const cwd = options.cwd ?? process.cwd()
  const errors: GwError[] = []
  const gather = <T>(check: () => T | Promise<T>): Promise<T | undefined> => keepProblem(errors, check)
  const loaded = await gather(() => loadConfig({ ...options, cwd }))
  // gwdeploy.yml has problems: the gateway config is still checked, with what the valid sections say.
  const project = loaded ?? loadConfigDespiteProblems({ ...options, cwd })
  if (loaded) {
    await gather(() => refuseFleetEnvProblems(loaded, options.environ))
    await gather(() =>
      checkStateDir(
        resolve(loaded.dir, loaded.config.provider.local.stateDir),
        loaded.files[0] ?? 'gwdeploy.yml',
      ),
    )
  }
  if (!project || !gatewayCheckable(project)) return { errors }
  const { config } = project
  const gatewayConfig = resolveConfigPath(project, config.gateway.config)
  const notAFile = !existsSync(gatewayConfig)
    ? 'which does not exist'
    : statSync(gatewayConfig).isDirectory()
      ? 'which is a directory'
      : undefined
  if (notAFile) {
    errors.push(
      configError(`gateway.config points at ${config.gateway.config}, ${notAFile}`, {
        location: { file: relative(cwd, project.files[0] ?? ''), path: 'gateway.config' },
        hint: 'Point it at your KrakenD v3 file (relative to gwdeploy.yml), or run `gwdeploy init` to write a starter gateway.json.',
      }),
    )
    return { errors }
  }
  // Local nodes always run our runtime; image providers run image.runtime.
  const runtime = config.provider.kind === 'local' ? 'bundled' : config.image.runtime
  const shown = relative(cwd, gatewayConfig) || gatewayConfig
  // The checks that read gwdeploy.yml's health, fleet and provider keys need them valid.
  const checkDocument = (doc: SourceDocument) =>
    loaded
      ? checkGatewayDocument(loaded, runtime, doc, errors)
      : refuseUnenforcedNamespaces(doc, runtime, errors)
  if (config.gateway.flexibleConfig) {
    // A flexible-config template is JSON only once rendered (`"port": {{ .service.port }}`): it is
    // checked as release renders and stamps it, the rendered config by key path.
    const stamped = await gather(() => checkAsStamped(project, runtime, gatewayConfig))
    if (stamped) {
      checkDocument(renderedDocument(stamped, shown))
      for (const warning of stamped.warningProblems) options.warn?.(warning)
    }
  } else {
    const doc = await gather(() =>
      parseSourceDocument(
        readConfigText(gatewayConfig, shown, MAX_GATEWAY_CONFIG_BYTES),
        shown,
        undefined,
        GATEWAY_YAML,
      ),
    )
    if (!doc) return { errors }
    checkDocument(doc)
    const stamped = await gather(() => checkAsStamped(project, runtime, gatewayConfig))
    for (const warning of stamped?.warningProblems ?? []) options.warn?.(warning)
  }
  if (!loaded) return { errors }
  return {
    errors,
    summary: {
      files: loaded.files.map((f) => relative(cwd, f) || f),
      service: loaded.config.service,
      provider: loaded.config.provider.kind,
      fleetSize: loaded.config.fleet.size,
      gatewayConfig: relative(cwd, gatewayConfig),
    },
  }
}

/** A gwdeploy.yml that did not load still says where the gateway config is, unless that is what is wrong. */
function gatewayCheckable(project: LoadedConfig | PartialConfig): boolean {
  if (!('invalid' in project)) return true
  const { invalid, config } = project
  const unknown = (key: string) => invalid.has(key) || invalid.has(key.split('.')[0] ?? key)
  // Where the file is and how it renders; which runtime runs it (provider.kind, image.runtime).
  return (
    !['gateway', 'gateway.config', 'gateway.name', 'gateway.flexibleConfig'].some(unknown) &&
    !unknown('provider.kind') &&
    !unknown('image.runtime') &&
    !(config.gateway.flexibleConfig && unknown('fleet.env'))
  )
}

/** What the nodes could not pass or publish, and components the runtime would not enforce. */
function checkGatewayDocument(
  loaded: LoadedConfig,
  runtime: 'bundled' | 'krakend',
  doc: SourceDocument,
  errors: GwError[],
): void {
  const unpassable = healthGateProblem(loaded.config, runtime, doc.value, doc.file)
  if (unpassable) errors.push(locatedInProject(unpassable, loaded.locate) as GwError)
  const unpublishable =
    loaded.config.provider.kind !== 'local' &&
    revokerPortProblem(doc.value, doc.file, loaded.config.fleet.port)
  if (unpublishable) errors.push(unpublishable)
  refuseUnenforcedNamespaces(doc, runtime, errors)
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
  loaded: Pick<LoadedConfig, 'config' | 'dir' | 'env'>,
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
  loaded: LoadedConfig,
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
function refuseUnenforcedNamespaces(
  doc: SourceDocument,
  runtime: 'bundled' | 'krakend',
  errors: GwError[],
): void {
  const file = doc.file
  const problems: Problem[] = []
  forEachNamespace(doc.value, (namespace, level, keyPath) => {
    const verdict = classifyNamespace(namespace, level, runtime)
    if (verdict.kind === 'error')
      problems.push({ message: verdict.message, location: doc.locate(keyPath), hint: verdict.hint })
  })
  if (problems.length > 0)
    errors.push(
      configError(
        `${file}: ${problems.length} extra_config namespace${problems.length === 1 ? '' : 's'} the ${runtime === 'krakend' ? 'KrakenD' : 'gateway'} runtime would not enforce`,
        { problems, hint: '`gwdeploy gateway check -c FILE` shows every problem of the gateway config' },
      ),
    )
}
