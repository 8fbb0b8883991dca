// modifier/martian at run time: the parsed steps (martian.ts) applied to a backend request and to
// the backend's answer headers, as martian's modifiers and filters apply them.
import { BackendCallError } from '../backend-call-error.ts'
import { GO_USER_AGENT } from '../go-http.ts'
import { goUrlString, splitTarget } from '../go-url-resolve.ts'
import { cryptoModule } from '../libraries.ts'
import type { HeaderValues } from '../request-headers.ts'
import { compileGoRegExp, type GoRegExp } from './go-regexp.ts'
import type { MartianConfig, MartianStep } from './martian.ts'
import { replacedBody } from './martian-body.ts'
import { changePort, matchHost, splitOrigin } from './martian-origin.ts'
import { portFilterMatches } from './martian-port-filter.ts'
import { queryMatches, setQuery } from './martian-query.ts'
import { lastHopUrl } from './martian-redirect.ts'
import { cookieMatches, modifyTarget, requestCookies, responseCookies, targetMatches } from './martian-url.ts'

const firstValue = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? value[0] : value) ?? ''

/**
 * Go's transport writes one User-Agent line, Header.Get's: its default when there is none, none
 * when the first value is empty.
 */
function userAgentAsGoWrites(headers: HeaderValues): void {
  const current = headers['user-agent']
  if (current === undefined) headers['user-agent'] = GO_USER_AGENT
  else if (Array.isArray(current)) {
    const first = current[0] ?? ''
    if (first === '') delete headers['user-agent']
    else headers['user-agent'] = first
  } else if (current === '') delete headers['user-agent']
}

type Headers = Record<string, string | string[] | undefined>

/**
 * A request or response as the steps see it: its headers, the request target (path and query) and,
 * for a response, the headers of the request that was sent (res.Request).
 */
interface Message {
  headers: Headers
  path: string
  /** The escaped path lura built (Go's URL.RawPath, which EscapedPath keeps while it still fits). */
  originalPath: string
  requestHeaders: Headers
  /** body.Modifier's body, when one ran. */
  body?: Buffer
  /** A response's status, as body.Modifier may change it. */
  status: number
  /** A modifier's error: it fails the call, and no further modifier runs. */
  failed?: string
  /** Go's URL.Scheme and URL.Host of the request (res.Request's on the answer side). */
  scheme: string
  host: string
  /** URL.User as URL.String writes it: only a redirect's Location gives one. */
  user?: string | undefined
  /** The URL's fragment (lura's, as its bytes): only URL.String writes it. */
  fragment: string
  /** The header map's Host, which only port.Modifier writes (Go's transport never sends it). */
  mapHost?: string | undefined
  /** req.Host was emptied (header.Blacklist on Host): Go then sends URL.Host. */
  hostCleared?: boolean
}

const append = (headers: Headers, name: string, value: string) => {
  const current = headers[name]
  headers[name] =
    current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value]
}

/**
 * The filters' matchers: a header value equal to `value`; the query parameter (with `value`, one
 * such value); the request's path and query (url.Filter, on both sides: res.Request's URL); a
 * cookie of the request (Cookie) or of the answer (Set-Cookie).
 */
function matches(
  step: Extract<MartianStep, { kind: 'filter' }>,
  message: Message,
  request: boolean,
): boolean {
  if (step.on === 'url')
    return (
      (step.scheme === '' || step.scheme === message.scheme) &&
      (step.host === '' || matchHost(message.host, step.host ?? '')) &&
      targetMatches(message.path, step.name, step.value)
    )
  if (step.on === 'urlRegex') return goRegexp(step.value).testHeader(urlText(message))
  if (step.on === 'cookie')
    return cookieMatches(
      request ? requestCookies(message.headers.cookie) : responseCookies(message.headers['set-cookie']),
      step.name,
      step.value,
    )
  if (step.on === 'regex') {
    // header.RegexFilter reads the header map, where Host is only what port.Modifier wrote there.
    const value =
      step.name === 'host' ? (message.mapHost ?? '') : firstValue(message.requestHeaders[step.name])
    return value !== '' && goRegexp(step.value).testHeader(value)
  }
  if (step.on === 'header') {
    if (!request && step.name === 'host') return false
    const values = message.headers[step.name]
    return values !== undefined && (Array.isArray(values) ? values : [values]).includes(step.value)
  }
  return queryMatches(message.path, step.name, step.value)
}

/**
 * The steps of one side, in order, as martian's modifiers apply them: `request` says which side
 * (a cookie is added to Cookie on a request and as a Set-Cookie line on a response; a query
 * filter reads the request's query on both sides).
 */
function apply(steps: MartianStep[], message: Message, request: boolean): void {
  const headers = message.headers
  // proxyutil.ResponseHeader: on an answer, Host is no header martian reads or writes (Get is '',
  // Set, Add and Del do nothing); stash.Modifier writes the map itself.
  const touches = (name: string) => request || name !== 'host'
  for (const step of steps) {
    if (message.failed !== undefined) return
    switch (step.kind) {
      case 'set':
        if (!touches(step.name)) break
        headers[step.name] = step.value
        if (step.name === 'host') message.hostCleared = false
        break
      case 'append':
        if (touches(step.name)) append(headers, step.name, step.value)
        break
      case 'copy':
        if (!touches(step.to)) break
        // martian's Header.Get: the first value, '' when absent (the copy is then empty).
        headers[step.to] = touches(step.from) ? firstValue(headers[step.from]) : ''
        if (step.to === 'host') message.hostCleared = false
        break
      case 'remove':
        for (const name of step.names) if (touches(name)) delete headers[name]
        if (request && step.names.includes('host')) message.hostCleared = true
        break
      case 'query':
        message.path = setQuery(message.path, step.name, step.value)
        break
      case 'cookie':
        if (request) {
          // Request.AddCookie: the first Cookie line, the pair added, one line left.
          const current = firstValue(headers.cookie)
          headers.cookie = current === '' ? step.pair : `${current}; ${step.pair}`
        } else append(headers, 'set-cookie', step.setCookie)
        break
      case 'filter': {
        const matched =
          step.on === 'port'
            ? portFilterMatches(step.port ?? 0, message.scheme, message.host, request)
            : matches(step, message, request)
        if (typeof matched !== 'boolean') message.failed = matched.error
        else apply(matched ? step.matched : step.unmatched, message, request)
        break
      }
      case 'id':
        // Header.Get's first value: a request that has one keeps it; Header.Set replaces the rest.
        if (firstValue(headers[step.name]) === '') headers[step.name] = cryptoModule().randomUUID()
        break
      case 'url':
        if (step.scheme !== '') message.scheme = step.scheme
        if (step.host !== '') message.host = step.host
        message.path = modifyTarget(message.path, message.originalPath, step.path, step.query)
        break
      case 'port': {
        const host = changePort(message.scheme, message.host, step.change)
        if (host !== undefined) {
          message.host = host
          message.mapHost = host
        }
        break
      }
      case 'stash':
        // Header.Set: the URL's text on the request; the request's value on the answer.
        headers[step.name] = request ? urlText(message) : firstValue(message.requestHeaders[step.name])
        break
      case 'status':
        message.status = step.status
        break
      case 'body': {
        headers['content-type'] = step.contentType
        // The new body is not encoded.
        delete headers['content-encoding']
        if (request) {
          message.body = step.body.subarray(0, step.length)
          break
        }
        const range = firstValue(message.requestHeaders.range)
        const answer = replacedBody(step.body, step.length, step.contentType, step.boundary, range)
        if ('failed' in answer) {
          message.failed = answer.failed
          break
        }
        message.body = answer.body
        if (answer.status !== undefined) message.status = answer.status
        if (answer.contentRange !== undefined) headers['content-range'] = answer.contentRange
        if (answer.contentType !== undefined) headers['content-type'] = answer.contentType
        break
      }
    }
  }
}

/** URL.String of the message's request URL. */
const urlText = (message: Message) =>
  goUrlString(message.scheme, message.host, message.path, message.fragment, message.user)

/**
 * A backend request after the request-scope modifiers; `body` when body.Modifier replaced it,
 * `origin` when the URL's scheme or host changed (Go then calls there, with the Host header it had:
 * set in `headers`), `mapHost` when port.Modifier wrote the header map's Host.
 */
export interface ModifiedRequest {
  headers: HeaderValues
  path: string
  body?: Buffer
  origin?: string
  mapHost?: string
}

/**
 * The request-scope modifiers on a copy of the request (a modifier's error throws a
 * BackendCallError: the call fails unsent): `origin` is the backend URL's
 * `scheme://host` as lura built it, `fragment` gives its fragment (only URL.String writes it).
 */
export type MartianRequest = (
  headers: HeaderValues,
  path: string,
  origin: string,
  fragment: () => string,
  /** Go's transport asks for gzip when the map ends without Accept-Encoding and Range (no disable_compression). */
  asksGzip: boolean,
) => ModifiedRequest

export function compileMartian(cfg: MartianConfig): MartianRequest {
  compileRegexps(cfg.steps)
  return (input, path, origin, fragment, asksGzip) => {
    const headers: HeaderValues = { ...input }
    // The transport's own `gzip` (a plain string, see request-headers.ts) is not in Go's header
    // map yet: modifiers and filters do not see it; the transport adds it after them.
    if (input['accept-encoding'] === 'gzip') delete headers['accept-encoding']
    const url = cfg.readsOrigin ? splitOrigin(origin) : { scheme: '', host: '' }
    const message: Message = {
      headers,
      path,
      originalPath: splitTarget(path).path,
      requestHeaders: headers,
      status: 0,
      scheme: url.scheme,
      host: url.host,
      fragment: cfg.readsOrigin ? fragment() : '',
    }
    apply(cfg.steps, message, true)
    // krakend-martian returns the error before the call: the backend gets nothing.
    if (message.failed !== undefined) throw new BackendCallError(message.failed)
    userAgentAsGoWrites(headers)
    // A `gzip` a modifier set is the map's (written in its sorted place); the transport asks for
    // gzip itself when the map ends with no Accept-Encoding and no Range, also after a modifier
    // removed the client's.
    if (headers['accept-encoding'] === 'gzip') headers['accept-encoding'] = ['gzip']
    else if (asksGzip && headers['accept-encoding'] === undefined && firstValue(headers.range) === '')
      headers['accept-encoding'] = 'gzip'
    const out: ModifiedRequest = { headers, path: message.path }
    if (message.body) out.body = message.body
    if (message.mapHost !== undefined) out.mapHost = message.mapHost
    // Go writes req.Host, lura's host unless a modifier set it; emptied (header.Blacklist, or set to ""
    // by header.Modifier or a header.Copy from a header the request lacks), the URL's.
    const emptied = headers.host === ''
    if (emptied) delete headers.host
    if (message.scheme !== url.scheme || message.host !== url.host) {
      out.origin = `${message.scheme}://${message.host}`
      if (headers.host === undefined) headers.host = message.hostCleared || emptied ? message.host : url.host
    }
    return out
  }
}

/** A backend's answer after the response-scope modifiers: `body` when body.Modifier replaced it. */
export interface EditedAnswer<T> {
  status: number
  headers: T
  body?: Buffer
  /** A modifier's error (body.Modifier's Range parsing): the call fails with it. */
  failed?: string
}

/**
 * The response-scope modifiers on a copy of a backend's answer headers (martian's ModifyResponse,
 * right after the call: lura's status check, no-op pass-through and error details see the result).
 * `request` is the request sent, whose URL and headers answer-side filters read (Go's res.Request:
 * after redirects, the last hop's).
 */
export function compileMartianAnswer(
  cfg: MartianConfig,
): (<T extends Headers>(status: number, headers: T, request: SentRequest) => EditedAnswer<T>) | undefined {
  if (cfg.responseSteps.length === 0) return undefined
  compileRegexps(cfg.responseSteps)
  return (status, input, request) => {
    const sent = cfg.readsOrigin ? splitOrigin(request.origin) : { scheme: '', host: '' }
    const message: Message = {
      headers: { ...input },
      path: request.path,
      originalPath: '',
      requestHeaders: goHeaderMap(request.headers),
      status,
      scheme: sent.scheme,
      host: sent.host,
      fragment: cfg.readsOrigin ? (request.fragment?.() ?? '') : '',
      mapHost: request.mapHost,
    }
    const redirected = request.redirected
    if (redirected) {
      const url = lastHopUrl(
        { ...sent, target: request.path, fragment: message.fragment },
        redirected.locations,
      )
      message.path = url.target
      message.scheme = url.scheme
      message.host = url.host
      message.user = url.user
      message.fragment = url.fragment
      message.requestHeaders = goHeaderMap(redirected.headers)
    }
    apply(cfg.responseSteps, message, false)
    return {
      status: message.status,
      headers: message.headers as typeof input,
      ...(message.body ? { body: message.body } : {}),
      ...(message.failed !== undefined ? { failed: message.failed } : {}),
    }
  }
}

/**
 * res.Request.Header: the map the request was sent from, without the transport's own `gzip` (a
 * plain string, see request-headers.ts), which Go writes on the wire only. An answer-side
 * header.RegexFilter on Accept-Encoding finds no value there.
 */
function goHeaderMap(headers: Headers): Headers {
  if (headers['accept-encoding'] !== 'gzip') return headers
  const { 'accept-encoding': _transport, ...map } = headers
  return map
}

/** The backend request as it was sent: what the answer side reads of res.Request. */
export interface SentRequest {
  /** Where it went (`scheme://host`), after martian's request steps. */
  origin: string
  path: string
  headers: Headers
  /** The header map's Host port.Modifier wrote (header.RegexFilter reads it). */
  mapHost?: string | undefined
  /** Set when the call followed redirects: the Locations and the last hop's headers. */
  redirected?: { locations: readonly string[]; headers: Headers } | undefined
  /** lura's URL fragment (only URL.String writes it). */
  fragment?: (() => string) | undefined
}

/** header.RegexFilter's expressions, compiled once (the config was checked when it was parsed). */
const regexps = new Map<string, GoRegExp>()
const goRegexp = (source: string) => regexps.get(source) as GoRegExp

function compileRegexps(steps: MartianStep[]): void {
  for (const step of steps)
    if (step.kind === 'filter') {
      if ((step.on === 'regex' || step.on === 'urlRegex') && !regexps.has(step.value))
        regexps.set(step.value, compileGoRegExp(step.value))
      compileRegexps(step.matched)
      compileRegexps(step.unmatched)
    }
}
