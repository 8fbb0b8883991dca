// What lura makes of one backend's answer as read (backend-calls.ts reads it): modifier/martian's
// response scope first, then a discarded no-op answer kept as lura keeps it, the status check, the
// decoder, the backend's formatting and validation/cel's check of the response.
import type { BackendRequest, BufferedAnswer } from './backend-client.ts'
import { statusFailure } from './backend-status.ts'
import type {
  BackendResult,
  CompiledBackend,
  CompiledEndpoint,
  Context,
  Success,
} from './compiled-endpoint.ts'
import { goText } from './go-utf8.ts'
import { goHeaderMap, transportAskedGzip } from './noop-lua.ts'
import type { Data } from './transform.ts'

/** The call's result, and the status it counts under in the backend metrics (0: none). */
export function answerResult(
  ep: CompiledEndpoint,
  b: CompiledBackend,
  ctx: Context,
  request: BackendRequest,
  received: BufferedAnswer,
): { result: BackendResult; status: number } {
  const modifyAnswer = b.guard?.modifyAnswer
  let answer = received
  if (modifyAnswer) {
    const edited = modifyAnswer(received.status, received.headers, request)
    if (edited.failed !== undefined)
      return { result: { ok: false, code: undefined, message: edited.failed }, status: 0 }
    answer = {
      ...received,
      status: edited.status,
      headers: edited.headers,
      bytes: edited.body ?? received.bytes,
    }
  }
  return { result: decoded(ep, b, ctx, answer), status: answer.status }
}

function decoded(
  ep: CompiledEndpoint,
  b: CompiledBackend,
  ctx: Context,
  answer: BufferedAnswer,
): BackendResult {
  const { status } = answer
  if (b.discards) {
    // A no-op backend behind a rendering endpoint: lura checks no status and keeps no data.
    const kept: Success = { ok: true, data: {}, complete: true }
    if (b.keepsBody) kept.body = answer.bytes.toString('utf8')
    // components: a modifier/lua-backend post sees lura's no-op response (status, Go's headers, body)
    if (b.lua) {
      kept.status = status
      kept.headers = goHeaderMap(goClientFields(answer.headers, ctx, ep))
      kept.answerBytes = answer.bytes
    }
    return kept
  }
  if (status !== 200 && status !== 201) return statusFailure(b, answer)
  const text = goText(answer.bytes)
  // An endpoint that only merges and renders keeps a body already in Go's encoding as text
  // (serve-endpoint.ts and the JSON renderer read it as such).
  const kept = b.keepsText?.keep(text)
  if (kept) return { ok: true, data: kept as unknown as Data, complete: true }
  let data = b.decode(text, answer.bytes)
  if (b.format) data = b.format(data)
  // components: validation/cel checks this backend's response
  const rejected = b.guard?.checkResponse?.(data, { complete: true })
  if (rejected) return { ok: false, code: undefined, message: rejected }
  return { ok: true, data, complete: true }
}

/**
 * A buffered answer's header fields as Go's client leaves them: without the encoding and length of
 * a gzip body its transport asked for (requestBuffered undid it).
 */
function goClientFields(
  fields: BufferedAnswer['headers'],
  ctx: Context,
  ep: CompiledEndpoint,
): BufferedAnswer['headers'] {
  if (fields['content-encoding'] === undefined || !transportAskedGzip(ctx.headers, ctx.client, ep.forward))
    return fields
  const { 'content-encoding': _encoding, 'content-length': _length, ...decoded } = fields
  return decoded
}
