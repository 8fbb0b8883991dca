// An agent's pipe, as lura's proxy serves the request krakend-amqp makes of each message: no
// method, path, query, params or headers (Go's client adds its own User-Agent and gzip), the
// message's body (of unknown size: Go's client sends it chunked, or nothing when it is empty).
// krakend-ce's proxy stack wraps it as an endpoint's: modifier/lua-proxy, then validation/cel, then
// validation/json-schema, then the shadow backends, then the backends merged as lura merges them
// (flatmap_filter, static data), CEL's post checks and Lua's post script on the merged answer. The
// pipe fails when any of them failed (lura's merge returns the error with whatever data it has);
// what the backends answered is not used otherwise.

import type { BackendCalls } from '../backend-calls.ts'
import { Cancellation } from '../cancellation.ts'
import type {
  BackendResult,
  CompiledBackend,
  CompiledEndpoint,
  Context,
  Failure,
} from '../compiled-endpoint.ts'
import type { GuardContext, IncomingLike, Reply } from '../components/types.ts'
import { GO_USER_AGENT } from '../go-http.ts'
import { isGoNilMap } from '../go-json.ts'
import type { HeaderValues } from '../request-headers.ts'
import { sequentialProxy } from '../sequential-calls.ts'
import { flatmapAndStatic, inArrivalOrder, mergeResults } from '../serve-endpoint.ts'
import { agentBackends, agentCallBackend, agentCallShadows } from './agent-backends.ts'
import type { AgentPipe } from './consume.ts'

/** krakend-amqp's proxy.Request: no method, no URL, empty header and param maps. */
const MESSAGE_REQUEST: IncomingLike = { method: '', url: '', headers: {} }

export function agentPipe(
  ep: CompiledEndpoint,
  calls: Pick<BackendCalls, 'callBackend' | 'callShadows'>,
): AgentPipe {
  const callBackend = agentCallBackend(calls.callBackend)
  const sequential = sequentialProxy(callBackend)
  // lura fills no placeholder of an agent's url_pattern (it never rewrote them): each goes out as
  // written, and no component sees it as a param (lura's request has none)
  const placeholders = agentBackends(ep)
  const callShadows = agentCallShadows(ep, calls.callShadows)
  // Go's transport asks for gzip (the plain string: not in lura's header map, see request-headers.ts)
  const transport: HeaderValues = ep.forward.transportGzip ? { 'accept-encoding': 'gzip' } : {}
  const { guard } = ep
  const skipsBackends = guard?.lua?.skipsBackends === true
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
    const params: Record<string, string> = {}
    for (const name of placeholders) params[name] = `{${name}}`
    const ctx: Context = {
      params,
      absentParams: new Set(placeholders),
      query: '',
      headers: { ...transport },
      body,
      bodySized: false,
      cancel,
      client: {},
    }
    // lura's merge of GET and HEAD backends hands each the one request: the first call to read the
    // message's body (a buffer Close leaves as it is) drains it, the others find it empty
    if (ep.mergesWithoutCopy) ctx.sharedBody = { sent: false, readsEmpty: true }
    try {
      if (guard) {
        const refusedBy =
          (await guard.beforeBody?.(MESSAGE_REQUEST, ctx)) ?? (await guard.run(MESSAGE_REQUEST, ctx))
        if (refusedBy) {
          guard.lua?.post(ctx, undefined, false, true)
          return refused(refusedBy)
        }
        keepPlaceholders(ctx, placeholders)
      }
      // Go's client adds its User-Agent to a request without one
      if (ctx.headers['user-agent'] === undefined) ctx.headers['user-agent'] = GO_USER_AGENT
      if (ep.shadows && !skipsBackends) callShadows(ep, ctx)
      let results: BackendResult[]
      if (skipsBackends) results = []
      else if (ep.backends.length === 1)
        results = [await callBackend(ep, ep.backends[0] as CompiledBackend, ctx)]
      else if (ep.cfg.sequential) results = await sequential(ep, ctx)
      else results = await inArrivalOrder(ep.backends.map((b) => callBackend(ep, b, ctx)))
      const merged = mergeResults(results, ep.backends.length)
      const { failures, meta } = merged
      const failed =
        failures === 0
          ? undefined
          : results
              .filter((r): r is Failure => !r.ok)
              .map((r) => r.message)
              .join('\n')
      const { data, complete, staticData } = flatmapAndStatic(ep, merged, skipsBackends)
      const rejected = failures === 0 ? guard?.after?.(data, { complete, staticData, ...meta }) : undefined
      if (rejected) {
        guard?.lua?.post(ctx, undefined, false, true)
        return refused(rejected)
      }
      // Lua's post runs only on an answer without error (and ends the script's state either way)
      if (guard?.lua) {
        const posted = guard.lua.post(
          ctx,
          skipsBackends || isGoNilMap(data) ? {} : data,
          skipsBackends ? false : complete,
          failures > 0,
          skipsBackends ? undefined : meta,
        )
        const out = posted instanceof Promise ? await posted : posted
        if (out.reply && failed === undefined) return refused(out.reply)
      }
      return failed
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', stop)
    }
  }
}

/**
 * After the proxy's scripts: a param a script set under a placeholder's name (`Id` for `{id}`) stays
 * a param of lura's request, which components read, and fills no url_pattern slot.
 */
function keepPlaceholders(ctx: GuardContext, placeholders: Set<string>): void {
  for (const name of placeholders) {
    const value = ctx.params[name]
    if (value !== undefined && !ctx.absentParams?.has(name))
      ctx.scriptParams = { ...ctx.scriptParams, [(name[0] ?? '').toUpperCase() + name.slice(1)]: value }
    ctx.params[name] = `{${name}}`
  }
  ctx.absentParams = new Set(placeholders)
}

/**
 * What krakend-amqp's agent logs of a component's refusal: the error lura's stack returned, which
 * the component hands up with its answer; else the answer's message, where it carries one.
 */
function refused(reply: Reply): string {
  if (reply.error !== undefined) return reply.error
  const text = reply.body === undefined ? '' : reply.body.toString()
  return text !== '' ? text : `the pipe refused the message (a ${reply.status} answer)`
}
