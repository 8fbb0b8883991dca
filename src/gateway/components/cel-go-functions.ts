/**
 * cel-go's standard library where cel-js (the evaluator here) differs from it, for krakend-cel's
 * expressions:
 * - `matches` is Go's regexp (RE2 syntax, `MatchString` on the UTF-8 text, compiled at each call,
 *   so a bad pattern fails the evaluation). cel-js builds a JavaScript RegExp: other syntax and
 *   matches (`\s` takes a no-break space, `\p{L}` is the literal text `p{L}`) and backtracking one
 *   request could stall the gateway with.
 * - `timestamp(string)` is Go's `time.Parse(time.RFC3339, s)` and `duration(string)` Go's
 *   `time.ParseDuration`; cel-js reads the first with `new Date()`, which takes texts Go refuses
 *   (`Fri, 01 Jan 2100 00:00:00 GMT`, a time without a zone), so a check on a client's date passed.
 * - Functions outside cel-go's standard library (cel-js also has `lowerAscii`, `split`, `trim`,
 *   `math.*`, `optional.*`, ...) fail KrakenD's type check, which makes it skip the expression.
 * - Strings are Go strings: ordered by their UTF-8 bytes (cel-go-equality.ts); a request's bytes
 *   that are not UTF-8, held escaped (byte-text.ts), are U+FFFD to `matches` and bytes to
 *   `contains`, `startsWith`, `endsWith` and `+`.
 * - int(), uint(), double(), string(), bool(), bytes(): cel-go's conversions (cel-go-conversions.ts).
 * - has() and chains of relations: cel-go-syntax.ts.
 * cel-js cannot replace a built-in overload, so expressions are rewritten before parsing: a call
 * to one of these functions gets another name (of the same length where the name allows), which
 * the environment declares with Go's behaviour.
 */
import type { Environment } from '@marcbachmann/cel-js'
import { goTextBytes, hasEscapedByte, joinGoText, runesOfText } from '../byte-text.ts'
import { goParseDuration, goParseRfc3339 } from '../go-time.ts'
import { celLibrary } from '../libraries.ts'
import { type AstNode, astNodes } from './cel-ast.ts'
import { goCheck } from './cel-go-check.ts'
import { nullConversion, withGoConversions } from './cel-go-conversions.ts'
import { checkNarrowedConversion } from './cel-go-dispatch.ts'
import {
  goCompare,
  goEqual,
  goFind,
  goListContains,
  goListIndex,
  goMapOf,
  isJsonMap,
  withBytesOrdering,
} from './cel-go-equality.ts'
import { escapedFieldEdits, grammarProblem, leadingDotEdits } from './cel-go-grammar.ts'
import {
  durationFromNanos,
  exactTimeArithmetic,
  keepTimestampText,
  timestampNanos,
} from './cel-go-instants.ts'
import { withGoNullness } from './cel-go-nullness.ts'
import { checkMacroRange, constantIndexProblem, goNegate } from './cel-go-ranges.ts'
import {
  applyEdits,
  bytesEdits,
  type Edit,
  emptyLiteralEdits,
  hasEdits,
  pointNumberEdits,
  relationEdits,
  ternaryProblem,
  unaryEdits,
} from './cel-go-syntax.ts'
import { withGoTimeZones, withTimestampSum, ZONED_ACCESSORS } from './cel-go-time.ts'
import { widenedJoins } from './cel-go-widen.ts'
import { celTokens } from './cel-tokens.ts'
import { KRAKEND_CEL_VARIABLES } from './cel-variables.ts'
import { compileGoRegExp, type GoRegExp, GoRegExpError } from './go-regexp.ts'

const RENAMED = new Map([
  ['matches', 'matchGo'],
  ['timestamp', 'timestaGo'],
  ['duration', 'duratiGo'],
  ['uint', 'uinT'],
  ['int', 'inT'],
  ['double', 'doublE'],
  ['string', 'strinG'],
  ['bool', 'booL'],
  ['bytes', 'byteS'],
  ['contains', 'containS'],
  ['startsWith', 'startsWitH'],
  ['endsWith', 'endsWitH'],
])

/** cel-go v0.26's standard functions and macros (krakend-cel declares nothing else). */
const CEL_GO_FUNCTIONS = new Set(
  (
    'contains endsWith matches size startsWith getDate getDayOfMonth getDayOfWeek getDayOfYear ' +
    'getFullYear getHours getMilliseconds getMinutes getMonth getSeconds bool bytes double duration ' +
    'dyn int string timestamp type uint has all exists exists_one map filter'
  ).split(' '),
)

const DECLARED = new Set(KRAKEND_CEL_VARIABLES.map(([name]) => name))
/** What `.name` may name: cel-go resolves a leading dot in the root scope, where no macro is. */
const isGlobal = (name: string) =>
  DECLARED.has(name) || (CEL_GO_FUNCTIONS.has(name) && name !== 'has' && !MACROS.has(name))

export interface RewrittenExpression {
  text: string
  /** The literal (CEL source text) of each `x.matches('literal')`: checked when the config is read. */
  literalPatterns: string[]
  /** A function cel-go does not have, or one of the names the rewrite uses, called in the text. */
  unknownFunction?: string
  /** Why cel-go's parser refuses the text where cel-js reads it. */
  syntaxError?: string
}

/**
 * The rewritten expression and why KrakenD's check would refuse it (undefined when it checks).
 * An indexed or selected empty literal is made dyn only where cel-js otherwise cannot type its
 * element (several overloads fit, or none: emptyLiteralEdits), so other checks stay as cel-go's.
 */
export function rewriteChecked(
  env: Environment,
  expr: string,
): { rewritten: RewrittenExpression; problem: string | undefined } {
  let rewritten = rewriteCel(expr)
  let problem = celCheckProblem(env, rewritten)
  if (problem === undefined) return { rewritten, problem }
  if (OPEN_ELEMENT.test(problem)) {
    rewritten = rewriteCel(expr, true)
    problem = celCheckProblem(env, rewritten)
    if (problem === undefined) return { rewritten, problem }
  }
  if (rewritten.syntaxError !== undefined || rewritten.unknownFunction !== undefined)
    return { rewritten, problem }
  const widenedText = widenedJoins(env, rewritten.text)
  if (widenedText === undefined) return { rewritten, problem }
  const widened = { ...rewritten, text: widenedText }
  return celCheckProblem(env, widened) === undefined
    ? { rewritten: widened, problem: undefined }
    : { rewritten, problem }
}

/** cel-js's words for an empty literal's element type it could not settle. */
const OPEN_ELEMENT = /^Operator overload |\bundefined\b|got '[A-Z]'/

export function rewriteCel(expr: string, dynEmptyLiterals = false): RewrittenExpression {
  const out: RewrittenExpression = { text: '', literalPatterns: [] }
  const tokens = celTokens(expr)
  const edits: Edit[] = relationEdits(tokens)
  for (const [n, token] of tokens.entries()) {
    if (token.kind !== 'ident' || tokens[n + 1]?.text !== '(') continue
    if (!CEL_GO_FUNCTIONS.has(token.text)) out.unknownFunction ??= token.text
    if (ZONED_ACCESSORS.has(token.text) && tokens[n - 1]?.text === '.' && tokens[n + 2]?.text !== ')')
      edits.push({ at: token.start + token.text.length, remove: 0, insert: 'Go' })
    const renamed = RENAMED.get(token.text)
    if (renamed === undefined) continue
    edits.push({ at: token.start, remove: token.text.length, insert: renamed })
    const [literal, close] = [tokens[n + 2], tokens[n + 3]]
    if (
      token.text === 'matches' &&
      tokens[n - 1]?.text === '.' &&
      literal?.kind === 'string' &&
      close?.text === ')'
    )
      out.literalPatterns.push(literal.text)
  }
  const has = hasEdits(tokens)
  edits.push(
    ...has,
    ...escapedFieldEdits(tokens, new Set(has.map((edit) => edit.at))),
    ...leadingDotEdits(tokens, isGlobal),
    ...bytesEdits(tokens),
    ...unaryEdits(tokens),
    ...pointNumberEdits(tokens),
    ...(dynEmptyLiterals ? emptyLiteralEdits(tokens) : []),
  )
  out.syntaxError = ternaryProblem(tokens) ?? grammarProblem(tokens, expr)
  out.text = applyEdits(expr, edits)
  return out
}

/** A cel-js message about a rewritten expression, in the words of the expression as written. */
export function asWritten(message: string): string {
  let out = message
  for (const [name, renamed] of RENAMED) out = out.replaceAll(renamed, name)
  return out
    .replaceAll('hasGo', 'has')
    .replaceAll('negGo', '-')
    .replace(/\b(get[A-Za-z]+)Go\b/g, '$1')
}

const MIN_INT = -(2n ** 63n)
const MAX_INT = 2n ** 63n - 1n
// cel-go's Unix range for timestamps: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
const MIN_UNIX = -62135596800
const MAX_UNIX = 253402300799

function timestampOf(unix: number, ms: number): Date {
  if (unix < MIN_UNIX || unix > MAX_UNIX) throw new Error('timestamp overflow')
  return new Date(ms)
}

/** Declares the renamed functions, and conversions cel-go has and cel-js lacks. */
export function withGoFunctions(env: Environment): Environment {
  const out = withGoTimeZones(withGoConversions(env))
    .registerFunction('string.matchGo(string): bool', goMatches)
    .registerFunction('string.containS(string): bool', goTextTest(CONTAINS))
    .registerFunction('string.startsWitH(string): bool', goTextTest(STARTS_WITH))
    .registerFunction('string.endsWitH(string): bool', goTextTest(ENDS_WITH))
    .registerFunction('matchGo(string, string): bool', goMatches)
    .registerFunction('timestaGo(string): google.protobuf.Timestamp', (text: string) => {
      const parsed = goParseRfc3339(text)
      if (typeof parsed === 'string') throw new Error(parsed)
      return keepTimestampText(timestampOf(parsed.unix, parsed.ms), text)
    })
    .registerFunction('timestaGo(int): google.protobuf.Timestamp', (seconds: bigint) =>
      timestampOf(Number(seconds), Number(seconds) * 1000),
    )
    .registerFunction('timestaGo(google.protobuf.Timestamp): google.protobuf.Timestamp', (t: Date) => t)
    .registerFunction('duratiGo(google.protobuf.Duration): google.protobuf.Duration', (d: unknown) => d)
    .registerFunction('timestaGo(null): google.protobuf.Timestamp', nullConversion('timestamp'))
    .registerFunction('duratiGo(null): google.protobuf.Duration', nullConversion('duration'))
    .registerFunction('duratiGo(string): google.protobuf.Duration', (text: string) => {
      const ns = goParseDuration(text)
      if (typeof ns === 'string') throw new Error(ns)
      return durationFromNanos(ns)
    })
    .registerFunction('hasGo(dyn, string): bool', goHas)
    // One generic overload, so `-JWT.n` stays dyn as in cel-go (negGo(int) typed it an int and
    // refused `-JWT.n < 0.0`); cel-go-check.ts keeps cel-go's int and double overloads.
    .registerFunction('negGo(A): A', goNegate)
  return withGoNullness(withTimestampSum(withBytesOrdering(out)))
}

/** cel-go's has(x.f) once x is evaluated: key presence on a map, an error on a list, else false. */
function goHas(value: unknown, field: string): boolean {
  if (Array.isArray(value)) throw new Error(`unsupported index type 'string' in list`)
  if (value instanceof Map) return value.has(field)
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return false
  return Object.hasOwn(value, field)
}

/**
 * Why KrakenD's type check would refuse the rewritten expression (so KrakenD would skip it), or
 * undefined. Beyond cel-js's own check: functions cel-go lacks; ordering numbers of different
 * types (`1 < 1.5`), which cel-go refuses without its cross-type option and cel-js allows (cel-go
 * lets it pass once it has checked a macro); has() on what cannot have fields
 * (`has(req_params.Id.x)`); a map index or a string method's argument of another type.
 */
function celCheckProblem(env: Environment, rewritten: RewrittenExpression): string | undefined {
  if (rewritten.syntaxError !== undefined) return rewritten.syntaxError
  if (rewritten.unknownFunction !== undefined)
    return `undeclared reference to '${rewritten.unknownFunction}' (not in cel-go's standard library)`
  let parsed: ReturnType<Environment['parse']>
  try {
    parsed = env.parse(rewritten.text)
  } catch (error) {
    return asWritten((error as Error).message).split('\n')[0]
  }
  const checked = parsed.check()
  if (!checked.valid) return asWritten(checked.error?.message ?? 'invalid').split('\n')[0]
  const nodes = [...astNodes((parsed as unknown as { ast: unknown }).ast)]
  // cel-go's check takes int/double/uint orderings once it has checked a comprehension (a macro
  // before the ordering, or inside it): its scope then has the cross-type overloads.
  const firstMacro = Math.min(...nodes.filter(isMacro).map((node) => node.start ?? Infinity))
  // Nodes are visited parents first: a negated literal may be 2^63 (-9223372036854775808).
  const negated = new Set<unknown>()
  for (const node of nodes) {
    if (node.op === '-_') negated.add(node.args)
    // cel-go's parser refuses an int literal beyond int64 (so KrakenD drops the whole list).
    if (node.op === 'value' && typeof node.args === 'bigint') {
      const limit = negated.has(node) ? -MIN_INT : MAX_INT
      if (node.args < MIN_INT || node.args > limit) return 'invalid int literal'
    }
    if (node.op === 'call' && Array.isArray(node.args) && node.args[0] === 'hasGo') {
      const target = (node.args[1] as AstNode[] | undefined)?.[0]?.checkedType?.name ?? 'dyn'
      if (!/^(dyn|map<)/.test(target)) return `type '${target}' does not support field selection`
    }
    const mismatch = indexMismatch(node) ?? stringArgumentMismatch(node) ?? constantIndexProblem(node)
    if (mismatch !== undefined) return mismatch
    if (!ORDERING.has(node.op) || firstMacro < (node.end ?? 0)) continue
    const [left, right] = [node.left?.checkedType?.name, node.right?.checkedType?.name]
    if (left !== right && NUMBERS.has(left ?? '') && NUMBERS.has(right ?? ''))
      return `found no matching overload for '_${node.op}_' applied to '(${left}, ${right})'`
  }
  return goCheck((parsed as unknown as { ast: unknown }).ast).problem
}

/**
 * A parsed program, checked, whose operators fail where cel-go's do: an ordering with NaN ("NaN
 * values cannot be ordered"; cel-js answered false, so `!(double(q) > 100.0)` let `q=NaN`
 * through), a `+`/`-` giving a duration beyond int64 nanoseconds (about 292 years) or a timestamp
 * outside 0001-9999 (cel-js computed on). The check gives each operator node the handler that
 * evaluation then calls; those are wrapped.
 */
export function withGoOperators<T extends ReturnType<Environment['parse']>>(program: T): T {
  program.check()
  const { Duration } = celLibrary()
  const ast = (program as unknown as { ast: unknown }).ast
  const { narrowed } = goCheck(ast)
  for (const node of astNodes(ast)) {
    if (node.op === 'map' && Array.isArray(node.args) && node.args.length > 0) goMapLiteral(node)
    checkMacroRange(node)
    const handled = node as AstNode & { handle?: (l: unknown, r: unknown, ...rest: unknown[]) => unknown }
    const inner = handled.handle
    if (typeof inner !== 'function') continue
    const taken = narrowed.get(node)
    if (taken !== undefined)
      handled.handle = (args, ...rest) => {
        checkNarrowedConversion(node.args as [string], taken, (args as unknown[])[0])
        return inner(args, ...rest)
      }
    else if (node.op === '==' || node.op === '!=') {
      const equal = node.op === '=='
      handled.handle = (left, right) => goEqual(left, right) === equal
    } else if (node.op === 'in')
      handled.handle = (left, right, ...rest) => {
        if (Array.isArray(right) || right instanceof Set) return goListContains(left, right)
        if (right instanceof Map || isJsonMap(right)) return goFind(right, left) !== undefined
        return inner(left, right, ...rest)
      }
    else if (node.op === '[]')
      handled.handle = (left, right, ...rest) => {
        if (typeof right !== 'string' && isJsonMap(left)) throw new Error(`no such key: ${String(right)}`)
        return inner(left, Array.isArray(left) || left instanceof Set ? goListIndex(right) : right, ...rest)
      }
    else if (ORDERING.has(node.op))
      handled.handle = (left, right, ...rest) => {
        if (Number.isNaN(left) || Number.isNaN(right)) throw new Error('NaN values cannot be ordered')
        const order = ORDER[node.op as keyof typeof ORDER]
        if (left instanceof Date && right instanceof Date)
          return order(timestampNanos(left), timestampNanos(right))
        const compared = goCompare(left, right)
        return compared === undefined ? inner(left, right, ...rest) : order(BigInt(compared), 0n)
      }
    else if (node.op === '/' || node.op === '%')
      // Go's checked int division: the smallest int by -1 overflows (cel-js gave 2^63 and 0).
      handled.handle = (left, right, ...rest) => {
        if (left === MIN_INT && right === -1n) throw new Error('integer overflow')
        return inner(left, right, ...rest)
      }
    else if (node.op === '+' || node.op === '-')
      handled.handle = (left, right, ...rest) => {
        if (typeof left === 'string' && typeof right === 'string') return joinGoText(left, right)
        const result = exactTimeArithmetic(node.op, left, right) ?? inner(left, right, ...rest)
        if (result instanceof Date) timestampOf(Math.floor(result.getTime() / 1000), result.getTime())
        else if (result instanceof Duration) {
          const ns = result.seconds * 1_000_000_000n + BigInt(result.nanos)
          if (ns > MAX_INT || ns < MIN_INT) throw new Error('integer overflow')
        }
        return result
      }
  }
  return program
}

/** A map literal evaluates to cel-go's map (cel-go-equality.ts) instead of a JavaScript object. */
function goMapLiteral(node: AstNode): void {
  const entries = node.args as Array<[unknown, unknown]>
  type Runner = { run(ast: unknown, ctx: unknown): unknown }
  const literal = node as AstNode & { setMeta(key: string, value: unknown): unknown }
  literal.setMeta('evaluate', (ev: Runner, _ast: unknown, ctx: unknown) =>
    goMapOf(entries.map(([key, value]) => [ev.run(key, ctx), ev.run(value, ctx)])),
  )
}

/** cel-go's check of `map[key]`: the key's type must be the map's (unless either is dyn). */
function indexMismatch(node: AstNode): string | undefined {
  if (node.op !== '[]') return undefined
  const [container, key] = [node.left?.checkedType?.name, node.right?.checkedType?.name]
  const keyType = container?.startsWith('map<') ? container.slice(4, container.indexOf(',')) : undefined
  if (keyType === undefined || key === undefined || isWildcard(keyType) || isWildcard(key) || key === keyType)
    return undefined
  return `found no matching overload for '_[_]' applied to '(${container}, ${key})'`
}

/** dyn, or a type parameter cel-js leaves open (`{}` is `map<K, V>`, `[]` `list<T>`). */
const isWildcard = (type: string) => type === 'dyn' || /^[A-Z]$/.test(type)

const STRING_METHODS = new Set(['startsWitH', 'endsWitH', 'containS', 'matchGo'])

/** cel-go's check of `x.startsWith(y)` and friends on a dyn x: y must be a string (or dyn). */
function stringArgumentMismatch(node: AstNode): string | undefined {
  if (node.op !== 'rcall' || !Array.isArray(node.args) || !STRING_METHODS.has(node.args[0])) return undefined
  const [name, receiver, args] = node.args as [string, AstNode, AstNode[]]
  if (receiver?.checkedType?.name !== 'dyn') return undefined
  const types = (args ?? []).map((arg) => arg.checkedType?.name ?? 'dyn')
  if (types.every((type) => type === 'string' || isWildcard(type))) return undefined
  return `found no matching overload for '${asWritten(name)}' applied to 'dyn.(${types.join(', ')})'`
}

const ORDERING = new Set(['<', '<=', '>', '>='])
const ORDER = {
  '<': (a: bigint, b: bigint) => a < b,
  '<=': (a: bigint, b: bigint) => a <= b,
  '>': (a: bigint, b: bigint) => a > b,
  '>=': (a: bigint, b: bigint) => a >= b,
}
const NUMBERS = new Set(['int', 'uint', 'double'])
const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter'])

const isMacro = (node: AstNode) =>
  node.op === 'rcall' && Array.isArray(node.args) && MACROS.has(node.args[0] as string)

type TextTest = { text: (a: string, b: string) => boolean; bytes: (a: Buffer, b: Buffer) => boolean }
const CONTAINS: TextTest = { text: (a, b) => a.includes(b), bytes: (a, b) => a.includes(b) }
const STARTS_WITH: TextTest = {
  text: (a, b) => a.startsWith(b),
  bytes: (a, b) => a.subarray(0, b.length).equals(b),
}
const ENDS_WITH: TextTest = {
  text: (a, b) => a.endsWith(b),
  bytes: (a, b) => a.length >= b.length && a.subarray(a.length - b.length).equals(b),
}

/**
 * Go's strings.Contains, HasPrefix and HasSuffix compare bytes: where a request's bytes that are
 * not UTF-8 (byte-text.ts) are in either string, a cut sequence may match inside a character
 * (`'\u65e5'.startsWith(x)` holds for the byte E6).
 */
const goTextTest =
  ({ text, bytes }: TextTest) =>
  (a: string, b: string): boolean =>
    hasEscapedByte(a) || hasEscapedByte(b) ? bytes(goTextBytes(a), goTextBytes(b)) : text(a, b)

/**
 * The handler both `matchGo` overloads run. Go's regexp reads a byte that is not UTF-8 in the text
 * as U+FFFD and refuses such a byte in the pattern (both only from request data, byte-text.ts).
 */
function goMatches(text: string, pattern: string): boolean {
  if (hasEscapedByte(pattern)) throw new Error('matches: error parsing regexp: invalid UTF-8')
  return compiledPattern(pattern).test(runesOfText(text))
}

const compiled = new Map<string, GoRegExp | GoRegExpError>()
const MAX_COMPILED = 256

function compiledPattern(pattern: string): GoRegExp {
  let entry = compiled.get(pattern)
  if (entry === undefined) {
    try {
      entry = compileGoRegExp(pattern)
    } catch (error) {
      if (!(error instanceof GoRegExpError)) throw error
      entry = error
    }
    // Patterns built from request data could grow the cache without bound.
    if (compiled.size >= MAX_COMPILED) compiled.clear()
    compiled.set(pattern, entry)
  }
  if (entry instanceof GoRegExpError) throw new Error(`matches: ${entry.message}`)
  return entry
}
