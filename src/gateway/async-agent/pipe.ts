// An agent's pipe, as lura's proxy serves the request krakend-amqp makes of each message: no
// params, no headers (Go's client's own User-Agent and gzip), the message's body (of unknown size: Go's client sends it chunked, or
// nothing when it is empty), the made-up endpoint's backends called as an endpoint's are and
// merged as lura merges them. The pipe fails when any backend failed (lura's merge returns the
// error with whatever data it has); what the backends answered is not used.

import type { BackendCalls } from '../backend-calls.ts'
import { Cancellation } from '../cancellation.ts'
import type {
  BackendResult,
  CompiledBackend,
  CompiledEndpoint,
  Context,
  Failure,
} from '../compiled-endpoint.ts'
import { GO_USER_AGENT } from '../go-http.ts'
import type { HeaderValues } from '../request-headers.ts'
import { inArrivalOrder, mergeResults } from '../serve-endpoint.ts'
import type { AgentPipe } from './consume.ts'

export function agentPipe(
  ep: CompiledEndpoint,
  calls: Pick<BackendCalls, 'callBackend' | 'sequential'>,
): AgentPipe {
  const { callBackend, sequential } = calls
  // Go's client adds its User-Agent to a request without one, and its transport asks for gzip.
  // lura fills no placeholder of an agent's url_pattern (it never rewrote them): each goes out as written
  const params: Record<string, string> = {}
  for (const b of ep.backends)
    for (const part of b.parts)
      if (typeof part !== 'string' && !part.sequential) params[part.param] = `{${part.param}}`
  const goDefaults: HeaderValues = ep.forward.transportGzip
    ? { 'user-agent': GO_USER_AGENT, 'accept-encoding': 'gzip' }
    : { 'user-agent': GO_USER_AGENT }
  return async (body, signal) => {
    const cancel = new Cancellation()
    const stop = () => {
      const reason = signal.reason instanceof Error ? signal.reason : new Error('context canceled')
      if (reason.message === 'context deadline exceeded') cancel.expire()
      else cancel.abort(reason)
    }
    if (signal.aborted) stop()
    else signal.addEventListener('abort', stop, { once: true })
    // lura's merge of several backends has its own deadline, 85% of the endpoint's (the consumer's timeout)
    const timer = setTimeout(() => cancel.expire(), ep.deadlineMs)
    const ctx: Context = {
      params,
      query: '',
      headers: goDefaults,
      body,
      bodySized: false,
      cancel,
      client: {},
    }
    try {
      let results: BackendResult[]
      if (ep.backends.length === 1) results = [await callBackend(ep, ep.backends[0] as CompiledBackend, ctx)]
      else if (ep.cfg.sequential) results = await sequential(ep, ctx)
      else results = await inArrivalOrder(ep.backends.map((b) => callBackend(ep, b, ctx)))
      const { failures } = mergeResults(results, ep.backends.length)
      if (failures === 0) return undefined
      return results
        .filter((r): r is Failure => !r.ok)
        .map((r) => r.message)
        .join('\n')
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', stop)
    }
  }
}
