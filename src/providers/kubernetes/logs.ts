/** A pod's `gateway` container log as lines: `pods/log` with tailLines/sinceSeconds, and `follow=true` streamed. */
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

/** `client` should be one whose calls `options.signal` stops (KubeClient.under). */
export async function* podLogLines(
  client: KubeClient,
  namespace: string,
  pod: string,
  options: LogStreamOptions,
): AsyncGenerator<string> {
  const what = `read log of pod ${namespace}/${pod}`
  if (!options.follow) {
    const text = await call(
      what,
      client,
      () =>
        client.core.readNamespacedPodLog({ name: pod, namespace, container: CONTAINER, ...query(options) }),
      options.signal,
    )
    yield* lastLines(text, 0)
    return
  }
  // Our own request rather than client-node's Log: its piped response stream throws an
  // unhandled error when aborted, and following always ends with an abort.
  const url = new URL(`${client.server}/api/v1/namespaces/${namespace}/pods/${pod}/log`)
  url.searchParams.set('container', CONTAINER)
  url.searchParams.set('follow', 'true')
  for (const [key, value] of Object.entries(query(options))) url.searchParams.set(key, String(value))
  const context = new client.k8s.RequestContext(url.toString(), client.k8s.HttpMethod.GET)
  await client.config.applySecurityAuthentication(context)
  const { fetch } = await import('undici')
  const dispatcher = context.getDispatcher()
  const response = await call(
    what,
    client,
    async () => {
      const answer = await fetch(url, {
        headers: context.getHeaders(),
        ...(dispatcher ? { dispatcher } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      })
      if (answer.status !== 200 || !answer.body) {
        const body = await answer.text().catch(() => '')
        throw new client.k8s.ApiException(answer.status, `HTTP ${answer.status}`, body, {})
      }
      return answer
    },
    options.signal,
  )
  try {
    yield* splitLines(response.body as AsyncIterable<Uint8Array>)
  } catch (error) {
    // Aborting tears the response down mid-read: that is the end of following, not a failure.
    if (!options.signal?.aborted) throw error
  }
}
