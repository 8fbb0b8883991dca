// modifier/martian at run time: the parsed steps (martian.ts) applied to a backend request and to
// the backend's answer headers, as martian's modifiers and filters apply them.
import { GO_USER_AGENT } from '../go-http.ts'
import { encodeGoQuery, parseGoQuery } from '../go-url.ts'
import type { HeaderValues } from '../request-headers.ts'
import { compileGoRegExp, type GoRegExp } from './go-regexp.ts'
import type { MartianConfig, MartianStep } from './martian.ts'

const firstValue = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? value[0] : value) ?? ''

/** querystring.Modifier: req.URL.Query(), Set, Encode. */
function setQuery(path: string, name: string, value: string): string {
  const q = path.indexOf('?')
  const query = parseGoQuery(q === -1 ? '' : path.slice(q + 1))
  query.set(name, [value])
  return `${q === -1 ? path : path.slice(0, q)}?${encodeGoQuery(query)}`
}

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
  requestHeaders: Headers
}

const append = (headers: Headers, name: string, value: string) => {
  const current = headers[name]
  headers[name] =
    current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value]
}

/** header.Filter / querystring.Filter's matchers: a header value equal to `value`, or the query parameter (with `value`, one such value). */
function matches(step: Extract<MartianStep, { kind: 'filter' }>, message: Message): boolean {
  if (step.on === 'regex') {
    const value = firstValue(message.requestHeaders[step.name])
    return value !== '' && goRegexp(step.value).testHeader(value)
  }
  if (step.on === 'header') {
    const values = message.headers[step.name]
    return values !== undefined && (Array.isArray(values) ? values : [values]).includes(step.value)
  }
  const q = message.path.indexOf('?')
  const values = parseGoQuery(q === -1 ? '' : message.path.slice(q + 1)).get(step.name)
  return values !== undefined && (step.value === '' || values.includes(step.value))
}

/**
 * The steps of one side, in order, as martian's modifiers apply them: `request` says which side
 * (a cookie is added to Cookie on a request and as a Set-Cookie line on a response; a query
 * filter reads the request's query on both sides).
 */
function apply(steps: MartianStep[], message: Message, request: boolean): void {
  const headers = message.headers
  for (const step of steps)
    switch (step.kind) {
      case 'set':
        headers[step.name] = step.value
        break
      case 'append':
        append(headers, step.name, step.value)
        break
      case 'copy':
        // martian's Header.Get: the first value, '' when absent (the copy is then empty).
        headers[step.to] = firstValue(headers[step.from])
        break
      case 'remove':
        for (const name of step.names) delete headers[name]
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
      case 'filter':
        apply(matches(step, message) ? step.matched : step.unmatched, message, request)
        break
    }
}

export function compileMartian(
  cfg: MartianConfig,
): (headers: HeaderValues, path: string) => { headers: HeaderValues; path: string } {
  compileRegexps(cfg.steps)
  return (input, path) => {
    const headers: HeaderValues = { ...input }
    const message = { headers, path, requestHeaders: headers }
    apply(cfg.steps, message, true)
    userAgentAsGoWrites(headers)
    return { headers, path: message.path }
  }
}

/**
 * The response-scope modifiers on a copy of a backend's answer headers (martian's ModifyResponse,
 * right after the call: lura's status check, no-op pass-through and error details see the result).
 * `path` is the request target sent, which a query filter reads.
 */
export function compileMartianAnswer(
  cfg: MartianConfig,
): (<T extends Headers>(headers: T, request: SentRequest) => T) | undefined {
  if (cfg.responseSteps.length === 0) return undefined
  compileRegexps(cfg.responseSteps)
  return (input, request) => {
    const message = { headers: { ...input }, path: request.path, requestHeaders: request.headers }
    apply(cfg.responseSteps, message, false)
    return message.headers as typeof input
  }
}

/** The backend request as it was sent: what an answer-side filter reads of res.Request. */
export interface SentRequest {
  path: string
  headers: Headers
}

/** header.RegexFilter's expressions, compiled once (the config was checked when it was parsed). */
const regexps = new Map<string, GoRegExp>()
const goRegexp = (source: string) => regexps.get(source) as GoRegExp

function compileRegexps(steps: MartianStep[]): void {
  for (const step of steps)
    if (step.kind === 'filter') {
      if (step.on === 'regex' && !regexps.has(step.value))
        regexps.set(step.value, compileGoRegExp(step.value))
      compileRegexps(step.matched)
      compileRegexps(step.unmatched)
    }
}
