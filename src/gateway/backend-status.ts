// lura's status handlers: what a backend status other than 200 or 201 becomes (an error, or with
// return_error_details the detailed error as data).
import { type BufferedAnswer, headerValue } from './backend-client.ts'
import type { BackendResult, CompiledBackend } from './compiled-endpoint.ts'
import { invalidByteMark } from './go-bytes-string.ts'
import { goResponseError } from './go-json.ts'
import { goUtf8 } from './go-utf8.ts'
import type { Data } from './transform.ts'

/** A backend status other than 200/201, as lura's status handlers report it. */
export function statusFailure(b: CompiledBackend, answer: BufferedAnswer): BackendResult {
  const details = b.cfg.returnErrorDetails
  if (details === undefined && !b.cfg.returnErrorCode)
    return {
      ok: false,
      code: undefined,
      // lura prints URL.String() with %s: a byte that is not UTF-8 stays that byte (see goStringBytes)
      message: `invalid status code ${answer.status} ${b.errorPrefix} ${goUtf8(Buffer.from(answer.url, 'latin1'), invalidByteMark)}`,
    }
  // Go's string of the body: a byte that is not UTF-8 stays one (see go-bytes-string.ts)
  const utf8 = answer.bytes.toString('utf8')
  const text = utf8.includes('\uFFFD') ? goUtf8(answer.bytes, invalidByteMark) : utf8
  const contentType = headerValue(answer.headers['content-type'])
  if (details !== undefined) {
    // lura's HTTPResponseError, written as Go writes a struct: fields in declaration order.
    const error: Data = goResponseError({ http_status_code: answer.status })
    if (text !== '') error.http_body = text
    if (contentType) error.http_body_encoding = contentType
    const data = { [`error_${details}`]: error }
    // components: validation/cel sees the detailed error and the status (lura sets no headers)
    const meta = { complete: false, status: answer.status }
    const rejected = b.guard?.checkResponse?.(data, meta)
    if (rejected) return { ok: false, code: undefined, message: rejected }
    return { ok: true, data, complete: false, status: answer.status }
  }
  return { ok: false, code: answer.status, message: text, ...(contentType ? { contentType } : {}) }
}
