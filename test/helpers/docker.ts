/** Docker helpers for tests: a dockerode client on the test engine and small image utilities. */
import { randomBytes } from 'node:crypto'
import type { Readable } from 'node:stream'
import type Dockerode from 'dockerode'
import { pack } from 'tar-stream'
import { connectDocker, type DockerConnection, readJsonStream } from '../../src/image/docker.ts'
import { requireDocker } from './services.ts'

export async function testDocker(): Promise<DockerConnection> {
  await requireDocker()
  return connectDocker(process.env)
}

/** A random full commit SHA (40 hex digits). */
export const randomSha = () => randomBytes(20).toString('hex')
/** A name unique to this run, for repositories and containers. */
export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`

/** Imports a tiny image without node (only /etc/passwd): a "broken" base image. */
export async function importImageWithoutNode(docker: Dockerode, tag: string): Promise<void> {
  const tar = pack()
  tar.entry({ name: 'etc/passwd', mode: 0o644 }, 'root:x:0:0:root:/root:/sbin/nologin\n')
  tar.finalize()
  const [repo, version] = tag.split(':')
  const stream = (await docker.importImage(tar as unknown as Readable, {
    repo,
    tag: version,
  })) as unknown as Readable
  await readJsonStream(stream, () => {})
}

/** Reads a pull/push stream to the end; throws on an error event. */
export async function drain(stream: Readable): Promise<void> {
  let failure: string | undefined
  await readJsonStream(stream, (event) => {
    if (event.error) failure = event.error
  })
  if (failure) throw new Error(failure)
}

/**
 * Removes a test image but not its untagged parents: those are the build cache's intermediate
 * images, which a build in another test file running at the same time may be stacking on (the
 * engine then fails it with "unknown parent image ID").
 */
export async function removeImage(docker: Dockerode, ref: string): Promise<void> {
  try {
    await docker.getImage(ref).remove({ force: true, noprune: true })
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error
  }
}

/** Runs an image with its port published on 127.0.0.1 (ephemeral host port); returns the URL and a stop function. */
export async function runImage(
  docker: Dockerode,
  image: string,
  port: number,
): Promise<{ url: string; container: Dockerode.Container; stop: () => Promise<void> }> {
  const container = await docker.createContainer({
    Image: image,
    name: uniqueName('gwdeploy-test'),
    ExposedPorts: { [`${port}/tcp`]: {} },
    HostConfig: {
      PortBindings: { [`${port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      AutoRemove: false,
    },
  })
  await container.start()
  const info = await container.inspect()
  const hostPort = info.NetworkSettings.Ports[`${port}/tcp`]?.[0]?.HostPort
  if (!hostPort) throw new Error(`container ${info.Name} has no published port for ${port}`)
  return {
    url: `http://127.0.0.1:${hostPort}`,
    container,
    stop: async () => {
      await container.remove({ force: true })
    },
  }
}

/** Polls `url` until it answers 200 (bounded), returning the JSON body. */
export async function waitForJson(url: string, attempts = 100): Promise<Record<string, unknown>> {
  let last = ''
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) return (await res.json()) as Record<string, unknown>
      last = `HTTP ${res.status}`
    } catch (error) {
      last = (error as Error).message
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} never answered 200 (last: ${last})`)
}

/** The containers gwdeploy made for a target (its `gwdeploy.target` label), stopped ones too; or one colour's. */
export async function targetContainers(
  docker: Dockerode,
  target: string,
  colour?: string,
): Promise<Dockerode.ContainerInfo[]> {
  return docker.listContainers({
    all: true,
    filters: { label: [`gwdeploy.target=${target}`, ...(colour ? [`gwdeploy.colour=${colour}`] : [])] },
  })
}

/**
 * An after-hook's clean-up: removes every container gwdeploy made for these targets. It never
 * throws (a set-up that failed may have left no client or no containers), so the hook goes on.
 */
export async function removeTargetContainers(
  docker: Dockerode | undefined,
  ...targets: string[]
): Promise<void> {
  if (!docker) return
  for (const target of targets)
    for (const info of await targetContainers(docker, target).catch(() => []))
      await docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => {})
}
