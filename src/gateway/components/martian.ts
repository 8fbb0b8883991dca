/**
 * `modifier/martian` (backend level): the modifiers in common use, as krakend-martian runs them
 * around each backend call. Request scope: applied to the backend request after KrakenD's own
 * header and query filtering. Response scope: applied to the backend's answer headers right after
 * the call (after Go's transport undid the gzip it asked for), before lura reads the status, a
 * no-op endpoint passes the headers on or return_error_details reports the Content-Type.
 * Supported: `fifo.Group` (a group's scope keeps that side of its modifiers), `header.Modifier`
 * (set), `header.Append`, `header.Copy` (the first value), `header.Blacklist` (remove),
 * `querystring.Modifier` (request only; like Go, the query is re-read with url.ParseQuery and
 * re-encoded with sorted keys), `cookie.Modifier`, `header.Filter` / `querystring.Filter`,
 * `header.RegexFilter`, `body.Modifier`, `url.Modifier` and `url.Filter` (path and query),
 * `status.Modifier`, `priority.Group`, `cookie.Filter`, and on the backend URL's scheme and host
 * (martian-origin.ts, checks in martian-origin-parse.ts) url.Modifier's `scheme`/`host`,
 * url.Filter's, `port.Modifier`, `port.Filter` (martian-port-filter.ts), `stash.Modifier` and
 * `url.RegexFilter` (applied by martian-run.ts, martian-body.ts and martian-url.ts); krakend-martian's
 * `header.Id` (request only: a random UUID in X-Krakend-Id or `header`, unless the request has one);
 * `header.Verifier`, which changes nothing (it records mismatches nobody reads), with a warning.
 *
 * On the answer side, url.Filter, url.RegexFilter and querystring.Filter read the URL of Go's
 * res.Request: the request as sent, or after redirects the last hop's (martian-redirect.ts).
 *
 * Refused (config errors): querystring.Verifier, url.Verifier and status.Verifier (they panic on
 * every call in KrakenD), any other modifier or filter, and every config KrakenD would not apply
 * as written: krakend-martian drops the whole martian config when Go's json.Unmarshal fails on a
 * field of the wrong type or a scope names a side the modifier lacks. Field names in another case
 * are read as Go's json matches them (case-insensitively), with a warning. Also refused: headers whose meaning Go's transport, martian's proxyutil or lura's
 * response parser handles on its own (framing and connection headers, Content-Encoding of an
 * answer; Append or Copy-from on Host), and names or values Go refuses to send.
 *
 * Read by martian-tree.ts (types, scopes, groups and filters), martian-modifiers.ts (each
 * modifier's own fields) and martian-reader.ts (the shared field checks and the problems found).
 */
import type { KeyPath } from '../../core/source-text.ts'
import type { PortChange } from './martian-origin.ts'
import { MartianReader } from './martian-reader.ts'
import { walkModifier } from './martian-tree.ts'
import type { Report } from './types.ts'

export type MartianStep =
  | { kind: 'set' | 'append'; name: string; value: string }
  | { kind: 'copy'; from: string; to: string }
  | { kind: 'remove'; names: string[] }
  | { kind: 'query'; name: string; value: string }
  /** cookie.Modifier: the pair added to Cookie (request) and the Set-Cookie line (response). */
  | { kind: 'cookie'; pair: string; setCookie: string }
  /** body.Modifier: the body (base64 in the config) and its Content-Type, in place of the message's. */
  | {
      kind: 'body'
      /** The decoded bytes, zero-filled to the capacity of the slice Go's json.Unmarshal made for them. */
      body: Buffer
      length: number
      contentType: string
      boundary: string
    }
  /**
   * url.Modifier (request): `scheme` as URL.Scheme, `host` as URL.Host, `path` (its bytes) as
   * URL.Path and `query` as RawQuery, each when not empty.
   */
  | { kind: 'url'; scheme: string; host: string; path: string; query: string }
  /** port.Modifier (request): URL.Host's port removed, the scheme's default or the one given. */
  | { kind: 'port'; change: PortChange }
  /** stash.Modifier: the URL's text into header `name` (request), that header of the request (response). */
  | { kind: 'stash'; name: string }
  /** status.Modifier (response): the answer's status code. */
  | { kind: 'status'; status: number }
  /** header.Id (request): a random UUID into header `name` when its first value is empty or absent. */
  | { kind: 'id'; name: string }
  /**
   * header.Filter / querystring.Filter / cookie.Filter: the steps when the message matches, else
   * the others; header.RegexFilter (`on: 'regex'`, `value` its Go regexp): the first value of the
   * request's header, when not empty and matching (no else); url.Filter (`on: 'url'`): `name` the
   * URL.Path and `value` the RawQuery of the request, each compared when not empty (bytes), with
   * `scheme` and `host` (martianurl.MatchHost); url.RegexFilter (`on: 'urlRegex'`, `value` its Go
   * regexp): the request URL's text; port.Filter (`on: 'port'`): the URL host's port, or the
   * scheme's default (martian-port-filter.ts).
   */
  | {
      kind: 'filter'
      on: 'header' | 'query' | 'regex' | 'url' | 'urlRegex' | 'cookie' | 'port'
      name: string
      value: string
      scheme?: string
      host?: string
      port?: number
      matched: MartianStep[]
      unmatched: MartianStep[]
    }

export interface MartianConfig {
  /** On the backend request (`"scope": ["request"]`). */
  steps: MartianStep[]
  /** On the backend's answer headers, before KrakenD reads them (`"scope": ["response"]`). */
  responseSteps: MartianStep[]
  /** Some step reads or changes the backend URL's scheme and host (its text must be KrakenD's). */
  readsOrigin: boolean
}

export function parseMartian(raw: unknown, path: KeyPath, report: Report): MartianConfig | undefined {
  const read = new MartianReader(report)
  const { request, response } = walkModifier(raw, path, read)
  return read.ok ? { steps: request, responseSteps: response, readsOrigin: read.readsOrigin } : undefined
}
