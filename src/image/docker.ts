/**
 * The Docker engine through dockerode: connection from DOCKER_HOST (unix socket, tcp+TLS, ssh)
 * with the API version negotiated, and readers for the JSON streams that build and push return
 * (their failures arrive inside a 200 response, so every event is checked).
 */
import type { Readable } from 'node:stream'
import type Dockerode from 'dockerode'
import { providerError } from '../core/errors.ts'

/** The newest API version gwdeploy speaks; older engines (Debian's 20.10 speaks 1.41) get theirs. */
export const MAX_API_VERSION = '1.47'

export interface DockerConnection {
  docker: Dockerode
  apiVersion: string
  engineVersion: string
  /** Where the engine is, for messages: unix:///..., tcp://host:port, ssh://user@host */
  where: string
}

export function compareApiVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number)
  const [b1 = 0, b2 = 0] = b.split('.').map(Number)
  return a1 - b1 || a2 - b2
}

function describeHost(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'
}

/** Connects to the engine named by DOCKER_HOST (dockerode's own rules) and negotiates the API version. */
export async function connectDocker(env: NodeJS.ProcessEnv = process.env): Promise<DockerConnection> {
  const { default: Docker } = await import('dockerode')
  const where = describeHost(env)
  const options: Dockerode.DockerOptions = {}
  const host = env.DOCKER_HOST
  if (host?.startsWith('unix://')) options.socketPath = host.slice('unix://'.length)
  let probe: Dockerode
  try {
    probe = host && !host.startsWith('unix://') ? new Docker() : new Docker(options)
  } catch (error) {
    throw providerError(`cannot use DOCKER_HOST=${where}: ${(error as Error).message}`)
  }
  let version: Dockerode.DockerVersion
  try {
    version = await probe.version()
  } catch (error) {
    throw providerError(`the Docker engine at ${where} is not reachable: ${(error as Error).message}`, {
      hint: 'Start dockerd or point DOCKER_HOST at a running engine (unix://, tcp:// with DOCKER_TLS_VERIFY, ssh://).',
    })
  }
  const serverApi = version.ApiVersion
  const apiVersion = compareApiVersions(serverApi, MAX_API_VERSION) < 0 ? serverApi : MAX_API_VERSION
  const modem = (probe as unknown as { modem: Record<string, unknown> }).modem
  const docker = new Docker({ ...(modem as Dockerode.DockerOptions), version: `v${apiVersion}` })
  return { docker, apiVersion, engineVersion: version.Version, where }
}

export interface StreamEvent {
  stream?: string
  status?: string
  progress?: string
  id?: string
  error?: string
  errorDetail?: { message?: string; code?: number }
  aux?: { ID?: string; Digest?: string; Tag?: string; Size?: number }
}

/** Reads a newline-delimited JSON stream to the end, calling `onEvent` for each object. */
export async function readJsonStream(stream: Readable, onEvent: (event: StreamEvent) => void): Promise<void> {
  let buffer = ''
  const handle = (line: string) => {
    const text = line.trim()
    if (!text) return
    let event: StreamEvent
    try {
      event = JSON.parse(text) as StreamEvent
    } catch {
      event = { stream: `${text}\n` }
    }
    onEvent(event)
  }
  for await (const chunk of stream) {
    buffer += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8')
    let newline = buffer.indexOf('\n')
    while (newline !== -1) {
      handle(buffer.slice(0, newline))
      buffer = buffer.slice(newline + 1)
      newline = buffer.indexOf('\n')
    }
  }
  handle(buffer)
}

export interface BuildOutcome {
  imageId: string
  /** The build's text output, step by step. */
  log: string[]
}

/**
 * Follows a build stream. Throws a provider error (exit 6) with the failing step and its output
 * when the stream carries an error; calls `onStep` with "Step N/M : INSTRUCTION" lines.
 */
export async function followBuild(stream: Readable, onStep: (step: string) => void): Promise<BuildOutcome> {
  const log: string[] = []
  let currentStep = ''
  let stepOutput: string[] = []
  let imageId = ''
  let failure: string | undefined
  await readJsonStream(stream, (event) => {
    if (event.error || event.errorDetail) {
      failure = event.errorDetail?.message ?? event.error ?? 'unknown build error'
      return
    }
    if (event.aux?.ID) imageId = event.aux.ID
    if (event.stream !== undefined) {
      for (const line of event.stream.split('\n')) {
        if (line === '') continue
        log.push(line)
        if (/^Step \d+\/\d+ : /.test(line)) {
          currentStep = line
          stepOutput = []
          onStep(line)
        } else {
          stepOutput.push(line)
          const built = /^Successfully built ([0-9a-f]{12,64})$/.exec(line)
          if (built?.[1] && !imageId) imageId = built[1]
        }
      }
    }
  })
  if (failure !== undefined) {
    const output = stepOutput.filter((line) => !/^ ---> /.test(line)).slice(-30)
    throw providerError(`docker build failed${currentStep ? ` at ${currentStep}` : ''}: ${failure.trim()}`, {
      problems: output.map((line) => ({ message: line })),
      details: { step: currentStep, output, error: failure.trim() },
      hint: /pull access denied|manifest unknown|not found|no such host|failed to resolve/i.test(failure)
        ? 'Check image.base: the engine could not find or pull the base image.'
        : 'The output of the failing step is above.',
    })
  }
  if (!imageId)
    throw providerError('docker build ended without producing an image', {
      details: { output: log.slice(-30) },
    })
  return { imageId, log }
}

export interface PushOutcome {
  digest: string
}

/** Follows a push stream; errors inside it (unauthorized, unknown blob, ...) become provider errors. */
export async function followPush(
  stream: Readable,
  context: { reference: string; authSource: string | undefined },
  onStatus: (status: string) => void,
): Promise<PushOutcome> {
  let digest = ''
  let failure: string | undefined
  await readJsonStream(stream, (event) => {
    if (event.error || event.errorDetail) {
      failure = event.errorDetail?.message ?? event.error ?? 'unknown push error'
      return
    }
    if (event.aux?.Digest) digest = event.aux.Digest
    if (event.status && !event.progress) {
      onStatus(event.id ? `${event.id}: ${event.status}` : event.status)
      const match = /digest: (sha256:[a-f0-9]{64})/.exec(event.status)
      if (match?.[1] && !digest) digest = match[1]
    }
  })
  if (failure !== undefined) {
    const unauthorized = /unauthorized|authentication required|denied|no basic auth credentials/i.test(
      failure,
    )
    throw providerError(`pushing ${context.reference} failed: ${failure.trim()}`, {
      details: { error: failure.trim() },
      hint: unauthorized
        ? context.authSource
          ? `The registry refused the credentials from ${context.authSource}; check them (they are not shown).`
          : 'No credentials were found for this registry: run `docker login` or set GWDEPLOY_REGISTRY_USER and GWDEPLOY_REGISTRY_PASSWORD.'
        : 'Check that the registry is reachable from the Docker engine.',
    })
  }
  if (!digest) throw providerError(`pushing ${context.reference} ended without a digest`)
  return { digest }
}
