/** A pod's `gateway` container log as lines: `pods/log` with tailLines/sinceSeconds, and `follow=true` streamed. */
import { PassThrough } from 'node:stream'
import { lastLines, splitLines } from '../logs/lines.ts'
import type { LogStreamOptions } from '../types.ts'
import { call, type KubeClient } from './client.ts'

const CONTAINER = 'gateway'

function query(options: LogStreamOptions): { tailLines?: number; sinceSeconds?: number } {
  return {
    ...(options.lines > 0 ? { tailLines: options.lines } : {}),
    ...(options.sinceMs !== undefined
      ? { sinceSeconds: Math.max(1, Math.ceil((Date.now() - options.sinceMs) / 1000)) }
      : {}),
  }
}

export async function* podLogLines(
  client: KubeClient,
  namespace: string,
  pod: string,
  options: LogStreamOptions,
): AsyncGenerator<string> {
  const what = `read log of pod ${namespace}/${pod}`
  if (!options.follow) {
    const text = await call(what, client.server, () =>
      client.core.readNamespacedPodLog({ name: pod, namespace, container: CONTAINER, ...query(options) }),
    )
    yield* lastLines(text, 0)
    return
  }
  const lines = new PassThrough()
  const log = new client.k8s.Log(client.config)
  const request = await call(what, client.server, () =>
    log.log(namespace, pod, CONTAINER, lines, { follow: true, ...query(options) }),
  )
  const stop = () => {
    request.abort()
    lines.end()
  }
  options.signal?.addEventListener('abort', stop, { once: true })
  try {
    yield* splitLines(lines)
  } finally {
    options.signal?.removeEventListener('abort', stop)
    stop()
  }
}
