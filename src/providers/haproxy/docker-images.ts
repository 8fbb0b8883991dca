/** The image a node runs, on its Docker host: found there, or pulled from the registry. */
import type Dockerode from 'dockerode'
import { isGwError, providerError } from '../../core/errors.ts'
import { untilAborted } from '../../core/until-aborted.ts'
import { readJsonStream } from '../../image/docker.ts'
import { type CallBounds, silenceBound } from './docker-calls.ts'
import type { DockerHostConfig } from './docker-connection.ts'

/** `GET /images/<ref>/json`: dockerode's Image.inspect drops the abortSignal (a hung host kept its socket). */
export function inspectImage(docker: Dockerode, image: string, abortSignal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/images/${image}/json`,
        method: 'GET',
        abortSignal,
        statusCodes: { 200: true, 404: 'no such image', 500: 'server error' },
      } as never,
      (error: unknown, data: unknown) => (error ? reject(error) : resolve(data)),
    )
  })
}

/**
 * Pulls `image` (released as `sha`) onto the host. A pull takes as long as the image is large: it
 * is bounded by its silence, not its length. An image the registry no longer has names the release
 * that builds it again.
 */
export async function pullImage(
  docker: Dockerode,
  host: DockerHostConfig,
  image: string,
  sha: string,
  bounds: CallBounds,
): Promise<void> {
  let failure: string | undefined
  const bound = silenceBound(host, `pulling ${image}`, bounds)
  try {
    const stream = (await docker.pull(image, { abortSignal: bound.abortSignal })) as NodeJS.ReadableStream
    await untilAborted(
      readJsonStream(stream as never, (event) => {
        bound.heard()
        if (event.error) failure = event.errorDetail?.message ?? event.error
      }),
      bound.abortSignal,
    )
  } catch (error) {
    const reason = bound.reason(error)
    if (isGwError(reason)) throw reason
    failure = (error as Error).message
  } finally {
    bound.done()
  }
  if (failure) {
    const gone = /manifest unknown|not found|does not exist/i.test(failure)
    throw providerError(`haproxy: ${host.host} could not pull ${image}: ${failure}`, {
      hint: gone
        ? `The registry does not have that image (deleted or garbage-collected since it was released, or the repository moved): \`gwdeploy release --sha ${sha}\` builds and pushes it again. Nothing was started.`
        : 'The Docker host must reach the registry (and be logged in to it when it needs credentials).',
    })
  }
}
