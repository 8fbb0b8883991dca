/**
 * lura's sequential proxy: each backend in turn, later url_patterns (and
 * sequential_propagated_params) filled from earlier answers, and what lura's shared query and
 * header maps carry from a GraphQL backend to the calls after it.
 */

import { hasControlCharacter } from './backend-context.ts'
import type { BackendResult, CompiledBackend, CompiledEndpoint, Context } from './compiled-endpoint.ts'
import { withQueryValues } from './go-url.ts'
import { SequentialValues } from './sequential-params.ts'
import { sequentialSlot } from './url-pattern.ts'

type CallBackend = (ep: CompiledEndpoint, b: CompiledBackend, ctx: Context) => Promise<BackendResult>

/** The sequential proxy over one backend call (a call, or `concurrent_calls` racing). */
export function sequentialProxy(
  callBackend: CallBackend,
): (ep: CompiledEndpoint, ctx: Context) => Promise<BackendResult[]> {
  return async (ep, ctx) => {
    const results: BackendResult[] = []
    const values = new SequentialValues()
    const propagated = ep.cfg.propagated
    let leaked: Array<[string, string]> | undefined
    let jsonType = false
    let sharedLength: number | undefined
    for (const [i, b] of ep.backends.entries()) {
      let seqParams: Record<string, string> | undefined
      for (const part of b.parts) {
        if (typeof part === 'string' || !part.sequential) continue
        const { index, path, replaced } = part.sequential
        const text = replaced && index < i ? values.text(part.param, index, path) : undefined
        seqParams ??= {}
        // A control character stays raw: Go's url.Parse then fails the call (see backendContext).
        seqParams[part.param] =
          text !== undefined && hasControlCharacter(text) ? text : sequentialSlot(text, part.sequential)
      }
      if (propagated && i > 0)
        for (const p of propagated) {
          if (p.index >= i) continue
          const earlier = results[p.index]
          if (!earlier?.ok) continue
          const value = p.path.length === 0 ? earlier.body : values.text(p.key, p.index, p.path)
          if (value === undefined) continue
          seqParams ??= {}
          seqParams[p.key] = value
        }
      let callCtx = seqParams ? { ...ctx, params: { ...ctx.params, ...seqParams } } : ctx
      if (leaked) callCtx = { ...callCtx, query: withQueryValues(callCtx.query, leaked) }
      if (jsonType)
        callCtx = { ...callCtx, headers: { ...callCtx.headers, 'content-type': 'application/json' } }
      if (sharedLength !== undefined)
        callCtx = { ...callCtx, declaredLength: sharedLength, lengthShared: true }
      const result = await callBackend(ep, b, callCtx)
      // lura's GraphQL GET middleware adds its parameters to the query map the later calls share
      const added = b.graphqlQuery?.(callCtx.params, callCtx.body)
      if (added) leaked = [...(leaked ?? []), ...added]
      // and its Content-Type to their header map, where the merge does not copy the request
      if (b.graphql && ep.sharesHeaders) {
        jsonType = true
        // lura gives later calls the GraphQL body's Content-Length too; Go's client refuses it for another body
        const sent = b.graphql(callCtx.params, callCtx.body)
        if (typeof sent !== 'string' && sent.method === 'POST') sharedLength = sent.body.length
      }
      if (!result.ok && i === 0) return [result]
      results.push(result)
      if (!result.ok || !result.complete) break
      values.answered(i, result.data)
    }
    return results
  }
}
