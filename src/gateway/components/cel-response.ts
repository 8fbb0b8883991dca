// What validation/cel's response checks read (krakend-cel's resp_ variables), for an endpoint's
// merged answer and a backend's.
import { canonicalHeaderKey } from '../go-url.ts'
import type { Activation } from './cel.ts'
import { celComponent } from './runtimes.ts'

/**
 * What lura's Response.Metadata holds for CEL: only no-op backends and return_error_details fill
 * it; a decoded or merged response has status 0 and no headers.
 */
export interface ResponseMeta {
  complete: boolean
  status?: number
  headers?: Record<string, string | string[] | undefined>
  /** The proxy.static data merged into the answer, when it was. */
  staticData?: Record<string, unknown>
}

/** The activation of a response check. Only called where validation/cel is configured, so its module is loaded. */
export function responseActivation(data: Record<string, unknown>, meta: ResponseMeta): Activation {
  const { celData, celNow, headerText } = celComponent()
  const headers: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(meta.headers ?? {}))
    if (value !== undefined)
      headers[canonicalHeaderKey(name)] = (Array.isArray(value) ? value : [value]).map(headerText)
  return {
    now: celNow(),
    resp_completed: meta.complete,
    resp_metadata_status: BigInt(meta.status ?? 0),
    resp_metadata_headers: headers,
    resp_data: celData(data, meta.staticData),
  }
}
