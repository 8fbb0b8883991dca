// How much of each answer of one backend call is read (BodyRead, backend-collect.ts): Go's client
// slurps a redirect it follows; lura's decoder or status handler reads the last answer, as
// modifier/martian's response modifiers leave it (they run on the answer before lura reads it).
import type { BackendRequest } from './backend-client.ts'
import { type BodyRead, type BodyReads, type LurasDecoder, lurasBodyRead } from './backend-collect.ts'
import { followedLocation } from './backend-redirects.ts'
import type { CompiledBackend } from './compiled-endpoint.ts'
import type { BackendConfig } from './config/types.ts'

const decoders: Record<string, LurasDecoder> = { json: 'json', safejson: 'json', xml: 'xml', rss: 'rss' }

/** lura's read rule for a backend's answers (compiled once per backend). */
export const lurasReads = (cfg: BackendConfig): ((status: number) => BodyRead) =>
  lurasBodyRead(
    decoders[cfg.encoding] ?? 'other',
    cfg.returnErrorDetails !== undefined || cfg.returnErrorCode,
  )

/** The reads of `request`, a call of `b`. */
export function callReads(b: CompiledBackend, request: BackendRequest): BodyReads {
  const rule = b.reads
  const modifyAnswer = b.guard?.modifyAnswer
  return (status, headers) => {
    if (followedLocation(request, status, headers) !== undefined) return 'redirect'
    if (!modifyAnswer || !rule) return rule?.(status)
    // martian never reads the body: body.Modifier closes it unread and puts its own; a failed
    // modifier leaves it unread too. (backend-calls applies the modifiers to the answer as read.)
    const edited = modifyAnswer(status, { ...headers }, request)
    return edited.failed !== undefined || edited.body !== undefined ? 'none' : rule(edited.status)
  }
}
