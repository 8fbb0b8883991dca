/**
 * Namespaces of lura's HTTP client that a backend of another kind (backend/lambda,
 * backend/pubsub/*) replaces: its proxy never calls the HTTP backend below it, so KrakenD would run
 * it without them, silently. Refused beside such a backend.
 */
import type { KeyPath } from '../../core/source-text.ts'
import type { Report } from '../components/types.ts'

const HTTP_CLIENT_ONLY: ReadonlyArray<[string, string]> = [
  ['modifier/martian', 'martian modifies the HTTP request and answer'],
  ['auth/client-credentials', 'the OAuth2 token goes on HTTP requests'],
  ['qos/http-cache', 'the cache sits in the HTTP client'],
  ['backend/http/client', 'these are HTTP client options'],
  ['backend/graphql', 'the GraphQL request is an HTTP one'],
  ['backend/http', 'return_error_code and return_error_details read HTTP answers'],
  ['plugin/http-client', 'client plugins replace the HTTP client'],
]

/** `backend` names the replacing namespace; `does` says what KrakenD does instead of the HTTP call. */
export function refuseHttpClientOnly(
  extra: Record<string, unknown>,
  path: KeyPath,
  report: Report,
  backend: string,
  does: string,
): void {
  for (const [namespace, why] of HTTP_CLIENT_ONLY)
    if (extra[namespace] !== undefined)
      report.error(
        [...path, namespace],
        `"${namespace}" beside "${backend}": KrakenD ${does} instead of an HTTP backend and ignores it (${why})`,
        `remove "${namespace}" from this backend`,
      )
}
