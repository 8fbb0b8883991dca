/**
 * The build step: stamp -> (reuse | build) -> push, for an immutable `<repository>:<sha7>`.
 *
 * A tag that already exists locally or in the registry with the same config digest is reused
 * without rebuilding; with a different digest the build is refused (tags are immutable).
 * The result names the pushed digest (`repository@sha256:...`), which releases deploy by.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { configError, providerError } from '../core/errors.ts'
import { type Reporter, silentReporter } from '../core/events.ts'
import { engineAuthConfig, type RegistryAuth, resolveRegistryAuth } from './auth.ts'
import { buildRuntimeBundle } from './bundle.ts'
import { buildContext, type ContextFile } from './context.ts'
import { connectDocker, type DockerConnection, followBuild, followPush } from './docker.ts'
import {
  DEFAULT_BASE,
  type HealthcheckSpec,
  IMAGE_PATHS,
  type ImageRuntime,
  readDockerfileTemplate,
  renderDockerfile,
} from './dockerfile.ts'
import { parseRepository } from './reference.ts'
import { RegistryClient, type RemoteImage } from './registry.ts'
import { type ReleaseFlexibleConfig, type StampedConfig, stampGatewayConfig } from './stamp.ts'

/** The build context's directory of runtime files, copied to /opt/gwdeploy/ by the Dockerfile. */
const RUNTIME_DIR = 'runtime'
/** The build context's directory of the stamped config and its files, copied to the config's directory. */
const CONFIG_DIR = 'config'

export const LABELS = {
  revision: 'org.opencontainers.image.revision',
  source: 'org.opencontainers.image.source',
  created: 'org.opencontainers.image.created',
  version: 'org.opencontainers.image.version',
  title: 'org.opencontainers.image.title',
  service: 'gwdeploy.service',
  configName: 'gwdeploy.config.name',
  configDigest: 'gwdeploy.config.digest',
  runtime: 'gwdeploy.runtime',
} as const

export interface ImageBuildSpec {
  service: string
  /** Full commit SHA. */
  sha: string
  env?: string | undefined
  /** The gateway config to stamp (JSON or YAML). */
  gatewayConfig: string
  /** Name template, default "{service} rev-{sha7}". */
  nameTemplate?: string | undefined
  /** The gateway config is a flexible-config template (see stamp.ts). */
  flexible?: ReleaseFlexibleConfig | undefined
  /** Image repository without tag, e.g. 127.0.0.1:5000/team/gateway. */
  repository: string
  base?: string | undefined
  runtime?: ImageRuntime | undefined
  /** Port the gateway listens on in the container (default 8080). */
  port?: number | undefined
  push?: boolean | undefined
  /** org.opencontainers.image.source; default from GitHub/GitLab CI variables when present. */
  source?: string | undefined
  healthcheck?: Partial<HealthcheckSpec> | undefined
  /** Directory holding Dockerfile.<runtime> (default templates/image). */
  templateDir?: string | undefined
  /** Runtime bundle cache dir (see bundle.ts). */
  cacheDir?: string | undefined
  /** Build without the engine's layer cache. */
  noCache?: boolean | undefined
}

export interface ImageBuildOptions {
  reporter?: Reporter
  signal?: AbortSignal
  env?: NodeJS.ProcessEnv
  /** An existing engine connection (tests, benchmarks); default from DOCKER_HOST. */
  docker?: DockerConnection
  /** Already stamped config (the release engine stamps before it builds). */
  stamped?: StampedConfig
}

export interface ImageBuildResult {
  /** repository:sha7 */
  reference: string
  repository: string
  tag: string
  sha: string
  configName: string
  configDigest: string
  /** Local image id (sha256:...), when the image is in the local engine. */
  imageId: string | undefined
  /** repository@sha256:... when pushed or found in the registry; what releases deploy by. */
  digest: string | undefined
  /** false: built now; 'local': the engine had it; 'registry': the registry had it. */
  reused: false | 'local' | 'registry'
  pushed: boolean
  labels: Record<string, string>
}

function defaultSource(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY)
    return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`
  if (env.CI_PROJECT_URL) return env.CI_PROJECT_URL
  return undefined
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted')
}

function immutabilityError(where: string, reference: string, existing: string | undefined, wanted: string) {
  return configError(
    `${reference} already exists ${where} with a different config digest: ${existing ?? '(no gwdeploy.config.digest label)'} there, ${wanted} now`,
    {
      details: { reference, existingDigest: existing ?? null, newDigest: wanted },
      hint: 'Tags are immutable: commit the config change and release the new SHA (or remove the old tag deliberately).',
    },
  )
}

export async function buildImage(
  spec: ImageBuildSpec,
  options: ImageBuildOptions = {},
): Promise<ImageBuildResult> {
  const reporter = options.reporter ?? silentReporter
  const env = options.env ?? process.env
  const runtime: ImageRuntime = spec.runtime ?? 'bundled'
  const push = spec.push ?? false
  const name = parseRepository(spec.repository)

  // 1. stamp (validates with the gateway's own validator before anything else happens)
  const stamped =
    options.stamped ??
    (await stampGatewayConfig({
      file: spec.gatewayConfig,
      service: spec.service,
      sha: spec.sha,
      env: spec.env,
      template: spec.nameTemplate,
      flexible: spec.flexible,
      runtime,
    }))
  const tag = stamped.sha7
  const reference = `${spec.repository}:${tag}`
  reporter.emit({ type: 'progress', step: 'build', message: `config "${stamped.name}" ${stamped.digest}` })

  // 2. the Dockerfile, rendered before any engine call so template problems stop us early
  const base =
    spec.base === undefined || (runtime === 'krakend' && spec.base === DEFAULT_BASE.bundled)
      ? DEFAULT_BASE[runtime]
      : spec.base
  const newLabels: Record<string, string> = {
    [LABELS.revision]: stamped.sha,
    [LABELS.created]: new Date().toISOString(),
    [LABELS.version]: tag,
    [LABELS.title]: spec.service,
    [LABELS.service]: spec.service,
    [LABELS.configName]: stamped.name,
    [LABELS.configDigest]: stamped.digest,
    [LABELS.runtime]: runtime,
  }
  const source = spec.source ?? defaultSource(env)
  if (source) newLabels[LABELS.source] = source
  const dockerfile = renderDockerfile(
    {
      runtime,
      base,
      port: spec.port ?? 8080,
      labels: newLabels,
      ...(spec.healthcheck ? { healthcheck: spec.healthcheck } : {}),
    },
    await readDockerfileTemplate(runtime, spec.templateDir),
  )

  // 3. existing tags: locally, then in the registry when pushing
  const connection = options.docker ?? (await connectDocker(env))
  const { docker } = connection
  checkAborted(options.signal)
  let local: { id: string; labels: Record<string, string> } | undefined
  try {
    const info = await docker.getImage(reference).inspect()
    local = { id: info.Id, labels: info.Config?.Labels ?? {} }
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) {
      throw providerError(
        `inspecting ${reference} on ${connection.where} failed: ${(error as Error).message}`,
      )
    }
  }
  if (local && local.labels[LABELS.configDigest] !== stamped.digest) {
    throw immutabilityError(
      'in the local Docker engine',
      reference,
      local.labels[LABELS.configDigest],
      stamped.digest,
    )
  }
  let auth: RegistryAuth | undefined
  let remote: RemoteImage | undefined
  if (push) {
    auth = await resolveRegistryAuth(name.registry, env)
    remote = await new RegistryClient(name, auth).lookup(tag)
    if (remote && remote.labels[LABELS.configDigest] !== stamped.digest) {
      throw immutabilityError(
        `in ${name.registry}`,
        reference,
        remote.labels[LABELS.configDigest],
        stamped.digest,
      )
    }
  }

  const identity = {
    reference,
    repository: spec.repository,
    tag,
    sha: stamped.sha,
    configName: stamped.name,
    configDigest: stamped.digest,
  }
  if (remote && !local) {
    reporter.emit({
      type: 'info',
      message: `${reference} already in ${name.registry} with this config: reused`,
    })
    return {
      ...identity,
      imageId: undefined,
      digest: `${spec.repository}@${remote.digest}`,
      reused: 'registry',
      pushed: false,
      labels: remote.labels,
    }
  }

  let imageId: string
  let labels: Record<string, string>
  let reused: ImageBuildResult['reused'] = false
  if (local) {
    reporter.emit({ type: 'info', message: `${reference} already built with this config: reused` })
    imageId = local.id
    labels = local.labels
    reused = 'local'
  } else {
    labels = newLabels
    const files: ContextFile[] = [{ name: 'Dockerfile', content: dockerfile }]
    if (runtime === 'bundled') {
      reporter.emit({ type: 'progress', step: 'build', message: 'bundling the gateway runtime' })
      const bundle = await buildRuntimeBundle({ ...(spec.cacheDir ? { cacheDir: spec.cacheDir } : {}), env })
      for (const file of bundle.files)
        files.push({ name: `${RUNTIME_DIR}/${file}`, content: await readFile(join(bundle.dir, file)) })
    }
    // The stamped config and the files it names, copied together into the config's directory.
    for (const file of stamped.files)
      files.push({ name: `${CONFIG_DIR}/${file.path}`, content: file.content })
    files.push({ name: `${CONFIG_DIR}/${IMAGE_PATHS[runtime].contextConfig}`, content: stamped.json })
    checkAborted(options.signal)
    reporter.emit({ type: 'progress', step: 'build', message: `building ${reference} from ${base}` })
    let stream: Readable
    try {
      stream = (await docker.buildImage(buildContext(files), {
        t: reference,
        rm: true,
        forcerm: true,
        nocache: spec.noCache ?? false,
        version: '1',
      } as Parameters<typeof docker.buildImage>[1])) as Readable
    } catch (error) {
      throw providerError(
        `docker build of ${reference} was refused by ${connection.where}: ${(error as Error).message}`,
      )
    }
    const outcome = await followBuild(stream, (step) =>
      reporter.emit({ type: 'progress', step: 'build', message: step }),
    )
    imageId = outcome.imageId.startsWith('sha256:') ? outcome.imageId : `sha256:${outcome.imageId}`
  }

  let digest: string | undefined
  let pushed = false
  if (push) {
    checkAborted(options.signal)
    if (remote) {
      digest = `${spec.repository}@${remote.digest}`
    } else {
      reporter.emit({ type: 'progress', step: 'push', message: `pushing ${reference}` })
      let stream: Readable
      try {
        stream = (await docker.getImage(spec.repository).push({
          tag,
          ...(auth ? { authconfig: engineAuthConfig(auth) } : {}),
        })) as Readable
      } catch (error) {
        throw providerError(
          `pushing ${reference} was refused by ${connection.where}: ${(error as Error).message}`,
        )
      }
      const outcome = await followPush(stream, { reference, authSource: auth?.source }, (status) =>
        reporter.emit({ type: 'progress', step: 'push', message: status }),
      )
      digest = `${spec.repository}@${outcome.digest}`
      pushed = true
    }
  }

  return {
    ...identity,
    imageId,
    digest,
    reused,
    pushed,
    labels,
  }
}
