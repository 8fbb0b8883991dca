/**
 * `validation/cel` (endpoint and backend level), as krakend-cel with the cel-js evaluator. Like
 * krakend-cel, an expression is picked by plain substrings of its text: one containing `req` runs
 * before the call, one containing `resp` after it, one containing `JWT` (endpoint level, with
 * `auth/validator`) on the token's claims; one may run in several phases, and there the other
 * phases' variables are unbound (an error, unless `||`/`&&` make it irrelevant). An expression
 * that is not true, or fails, aborts with "request aborted by evaluator #N" (N counts within its
 * group): 500 at endpoint level (the text with `router.return_error_msg`), a failed backend at
 * backend level, 401 for the JWT group. KrakenD skips expressions that do not type-check and falls
 * back to no validation when one does not parse; here both are config errors, so a check is never
 * silently dropped.
 */
import type { Environment } from '@marcbachmann/cel-js'
import { jsonFoldedValue } from '../../config/json-keys.ts'
import type { KeyPath } from '../../core/source-text.ts'
import { textOfBytes } from '../byte-text.ts'
import { GoFloat64 } from '../go-float.ts'
import { GoNumber } from '../go-json.ts'
import { canonicalHeaderKey, parseGoQueryBytes } from '../go-url.ts'
import { celLibrary } from '../libraries.ts'
import { setOwnKey } from '../own-keys.ts'
import type { HeaderValues } from '../request-headers.ts'
import { asWritten, rewriteChecked, withGoFunctions, withGoOperators } from './cel-go-functions.ts'
import { KRAKEND_CEL_VARIABLES } from './cel-variables.ts'
import { droppedSpellings, losingSpellingMessage, undecodableSpellings } from './fields-spellings.ts'
import { compileGoRegExp, GoRegExpError } from './go-regexp.ts'
import type { Report } from './types.ts'

export interface CelConfig {
  pre: string[]
  post: string[]
  jwt: string[]
}

function environment(): Environment {
  // cel-go takes lists and maps of mixed types ([1, "a"]); cel-js refuses them unless told.
  let env = new (celLibrary().Environment)({ homogeneousAggregateLiterals: false })
  for (const [name, type] of KRAKEND_CEL_VARIABLES) env = env.registerVariable(name, type)
  return withGoFunctions(env)
}

export function parseCel(
  raw: unknown,
  path: KeyPath,
  report: Report,
  level: 'endpoint' | 'backend',
): CelConfig | undefined {
  if (!Array.isArray(raw)) {
    report.error(path, 'validation/cel must be a list of {"check_expr": "..."}')
    return undefined
  }
  const env = environment()
  const out: CelConfig = { pre: [], post: [], jwt: [] }
  let ok = true
  for (const [i, def] of raw.entries()) {
    const at = [...path, i, 'check_expr']
    // krakend-cel decodes each definition with encoding/json after re-encoding it with sorted keys:
    // "Check_Expr" is check_expr there, and of two spellings the last in byte order wins.
    const definition = typeof def === 'object' && def !== null ? (def as Record<string, unknown>) : {}
    const expr = jsonFoldedValue(definition, 'check_expr')
    for (const [key, kept] of droppedSpellings(definition, () => 'string'))
      report.error(
        [...path, i, key],
        losingSpellingMessage(key, kept, definition, 'string', 'validation/cel'),
        'keep one of them',
      )
    // Both of krakend-cel's fields are strings: another JSON type under any spelling fails the
    // decoding, and KrakenD then skips every expression of the namespace.
    for (const [key, kept] of undecodableSpellings(definition, () => 'string'))
      report.error(
        [...path, i, key],
        `"${key}" spells "${kept}" and holds ${JSON.stringify(definition[key])}, not a string: krakend-cel cannot decode the definitions then, and KrakenD silently skips every expression of this "validation/cel"`,
        `remove "${key}"`,
      )
    if (jsonFoldedValue(definition, 'mod_expr') !== undefined)
      report.error(
        [...path, i, 'mod_expr'],
        '"mod_expr" is not supported (KrakenD CE does not evaluate it either)',
        'remove it',
      )
    if (typeof expr !== 'string' || expr === '') {
      report.error(at, '"check_expr" must be a non-empty CEL expression')
      ok = false
      continue
    }
    const { rewritten, problem: why } = rewriteChecked(env, expr)
    if (why !== undefined) {
      report.error(
        at,
        `CEL expression does not check: ${why}`,
        'KrakenD would skip it silently; fix or remove it',
      )
      ok = false
      continue
    }
    for (const literal of rewritten.literalPatterns) {
      const refusal = goPatternRefusal(env.evaluate(literal) as string)
      if (refusal?.goAccepts) {
        report.error(
          at,
          `matches(${literal}): ${refusal.message}`,
          'this runtime would match some characters otherwise than KrakenD; write the pattern another way',
        )
        ok = false
      } else if (refusal)
        // cel-go compiles it (the pattern is compiled at each call): KrakenD runs the expression,
        // and so does this runtime, failing each evaluation that reaches the call as Go does.
        report.warn(
          at,
          `matches(${literal}): ${refusal.message}: KrakenD's Go regexp refuses it too, so every evaluation that reaches it fails (the request is refused)`,
          'fix the pattern',
        )
    }
    // krakend-cel's parseByKey: strings.Contains(expr, "req" | "resp" | "JWT").
    const pre = expr.includes('req')
    const post = expr.includes('resp')
    const jwt = expr.includes('JWT')
    if (pre) out.pre.push(expr)
    if (post) out.post.push(expr)
    if (jwt) {
      if (level === 'backend')
        report.error(
          at,
          'JWT expressions are evaluated only at endpoint level',
          'move it to the endpoint extra_config',
        )
      else out.jwt.push(expr)
    }
    warnUnbound(expr, at, report, [
      [pre, 'req', 'before the backend call', /^req_/],
      [post, 'resp', 'after the backend call', /^resp_/],
      [jwt && level === 'endpoint', 'JWT', 'on the token', /^JWT$/],
    ])
    if (!pre && !post && !expr.includes('JWT'))
      report.error(
        at,
        'the expression contains none of "req", "resp" or "JWT", so KrakenD never evaluates it',
        'remove it',
      )
  }
  return ok ? out : undefined
}

function goPatternRefusal(pattern: string): GoRegExpError | undefined {
  try {
    compileGoRegExp(pattern)
    return undefined
  } catch (error) {
    if (error instanceof GoRegExpError) return error
    throw error
  }
}

/** Warns when a phase evaluates an expression that uses another phase's variables (unbound there). */
function warnUnbound(
  expr: string,
  at: KeyPath,
  report: Report,
  phases: Array<[active: boolean, word: string, when: string, own: RegExp]>,
): void {
  const used = [...new Set(expr.match(/\b(?:req_\w+|resp_\w+|JWT)\b/g) ?? [])]
  for (const [active, word, when, own] of phases) {
    const unbound = active ? used.filter((name) => !own.test(name)) : []
    if (unbound.length > 0)
      report.warn(
        at,
        `KrakenD also evaluates this expression ${when} (its text contains "${word}"), where ${unbound.join(', ')} ${unbound.length > 1 ? 'are' : 'is'} not set: there it fails, so the request is aborted, unless || or && make that part irrelevant`,
        'this runtime does the same; split the expression or rename what contains the word',
      )
  }
}

export type Activation = Record<string, unknown>

/**
 * Evaluates a group; the error text when one is not true. `log` gets krakend-cel's line for the
 * expression that stopped it (`Evaluator #0 result: false`; the JWT rejecter's say `Rejecter`).
 */
export function compileGroup(
  exprs: string[],
  log: (message: string) => void,
  noun: 'Evaluator' | 'Rejecter' = 'Evaluator',
): ((vars: Activation) => string | undefined) | undefined {
  if (exprs.length === 0) return undefined
  const env = environment()
  const programs = exprs.map((e) => withGoOperators(env.parse(rewriteChecked(env, e).rewritten.text)))
  return (vars) => {
    for (const [i, program] of programs.entries()) {
      let result: unknown
      try {
        result = program(vars)
      } catch (error) {
        log(`${noun} #${i} failed: ${asWritten((error as Error).message).split('\n')[0]}`)
        return `request aborted by evaluator #${i}`
      }
      if (result !== true) {
        log(`${noun} #${i} result: ${String(result)}`)
        return `request aborted by evaluator #${i}`
      }
    }
    return undefined
  }
}

/**
 * Response data as krakend-cel's activation holds it. lura decodes backend JSON with UseNumber, and
 * cel-go adapts a json.Number (a Go string type) to a CEL string: `resp_data.count == '3'` holds and
 * `resp_data.count > 5` is an evaluation error, so the request is aborted. Values proxy.static put
 * there come from the config (float64 in Go, CEL doubles) and stay numbers, as do a Lambda
 * answer's (GoFloat64: krakend-lambda's json.Unmarshal makes float64s).
 */
export function celData(
  data: Record<string, unknown>,
  staticData?: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(data)) {
    const value = data[key]
    const fromConfig = staticData !== undefined && Object.hasOwn(staticData, key) && staticData[key] === value
    setOwnKey(out, key, fromConfig ? value : numbersAsText(value))
  }
  return out
}

function numbersAsText(value: unknown): unknown {
  if (typeof value === 'number') return String(value)
  if (typeof value !== 'object' || value === null) return value
  if (value instanceof GoNumber) return value instanceof GoFloat64 ? value.value : value.literal
  if (Array.isArray(value)) return value.map(numbersAsText)
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value))
    setOwnKey(out, key, numbersAsText((value as Record<string, unknown>)[key]))
  return out
}

/**
 * krakend-cel's `now`: Go's time.Now().Format("2006-01-02T15:04:05.999Z07:00"), in the process's
 * local zone (TZ, else /etc/localtime) as Go's time.Now() is: fractional zeros trimmed, "Z" for a
 * zero offset, else the offset (`2026-01-02T04:04:05.12+01:00` under TZ=Europe/Madrid), so a
 * check comparing `now` as text (office hours) sees the wall clock KrakenD's sees.
 */
export function celNow(date = new Date()): string {
  const offset = -date.getTimezoneOffset()
  const wall = new Date(date.getTime() + offset * 60_000).toISOString()
  const out = wall.replace(/\.(\d{3})Z$/, (_m, ms: string) => {
    const trimmed = ms.replace(/0+$/, '')
    return trimmed ? `.${trimmed}` : ''
  })
  if (offset === 0) return `${out}Z`
  const abs = Math.abs(offset)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${out}${offset < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`
}

/**
 * lura's request headers, each with its list of values, keyed by canonical name: lura's config
 * canonicalizes the `input_headers` names (`"x-user"` is `req_headers['X-User']`), and `*` copies
 * Go's http.Header. The transport's own `Accept-Encoding: gzip` (the plain string, see
 * request-headers.ts) is not in lura's request.
 */
export function headerLists(headers: HeaderValues): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || (name === 'accept-encoding' && value === 'gzip')) continue
    const values = (Array.isArray(value) ? value : [value]).map(headerText)
    setOwnKey(out, canonicalHeaderKey(name), values)
  }
  return out
}

/**
 * lura's `req_path` (Go's URL.Path) as a CEL string: the path percent-decoded byte by byte, read as
 * UTF-8 as Go's strings are (`/a/%C3%A9` is `/a/é`); a byte that is no UTF-8 (`%ff`) stays that
 * byte (byte-text.ts), as in Go's string: not equal to '\ufffd', one character for size(), U+FFFD
 * for matches(). A `%` without two hex digits stays as written.
 */
export function celPath(raw: string): string {
  if (!raw.includes('%') && !NON_ASCII.test(raw)) return raw
  let bytes = ''
  for (let i = 0; i < raw.length; i += 1) {
    const hex = raw[i] === '%' ? raw.slice(i + 1, i + 3) : ''
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes += String.fromCharCode(Number.parseInt(hex, 16))
      i += 2
    } else {
      // Node hands a request line's bytes over as latin1.
      const char = raw[i] as string
      bytes += char.charCodeAt(0) < 0x100 ? char : Buffer.from(char, 'utf8').toString('latin1')
    }
  }
  return textOfBytes(bytes)
}

/**
 * A header value as the CEL string Go makes of it: Node hands the bytes over as latin1, CEL reads
 * them as UTF-8 (`size`, `==`, `matches` on 'é' see one character, as in KrakenD), bytes that are
 * not UTF-8 kept as they are (byte-text.ts): `\xff` is neither `\xfe` nor '\ufffd' there.
 */
export const headerText = (value: string) => (NON_ASCII.test(value) ? textOfBytes(value) : value)

const NON_ASCII = /[\u0080-\uffff]/

/** Go's url.ParseQuery: pieces with ";" or bad escapes are dropped, "+" is a space, bytes kept. */
export function queryLists(query: string): Record<string, string[]> {
  return Object.fromEntries(parseGoQueryBytes(query))
}
