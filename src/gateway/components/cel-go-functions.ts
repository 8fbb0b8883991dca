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
 * cel-js cannot replace a built-in overload, so expressions are rewritten before parsing: a call
 * to one of these functions gets a name of the same length (error positions still hold), which the
 * environment declares with Go's behaviour.
 */
import type { Environment } from '@marcbachmann/cel-js'
import { goFormatFixed, goParseDuration, goParseRfc3339 } from '../go-time.ts'
import { celLibrary } from '../libraries.ts'
import { compileGoRegExp, type GoRegExp, GoRegExpError } from './go-regexp.ts'

const RENAMED = new Map([
  ['matches', 'matchGo'],
  ['timestamp', 'timestaGo'],
  ['duration', 'duratiGo'],
])

/** cel-go v0.26's standard functions and macros (krakend-cel declares nothing else). */
const CEL_GO_FUNCTIONS = new Set(
  (
    'contains endsWith matches size startsWith getDate getDayOfMonth getDayOfWeek getDayOfYear ' +
    'getFullYear getHours getMilliseconds getMinutes getMonth getSeconds bool bytes double duration ' +
    'dyn int string timestamp type uint has all exists exists_one map filter'
  ).split(' '),
)

export interface RewrittenExpression {
  text: string
  /** The literal (CEL source text) of each `x.matches('literal')`: checked when the config is read. */
  literalPatterns: string[]
  /** A function cel-go does not have, or one of the names the rewrite uses, called in the text. */
  unknownFunction?: string
}

export function rewriteCel(expr: string): RewrittenExpression {
  const out: RewrittenExpression = { text: '', literalPatterns: [] }
  const tokens = celTokens(expr)
  let text = ''
  let copied = 0
  for (const [n, token] of tokens.entries()) {
    if (token.kind !== 'ident' || tokens[n + 1]?.text !== '(') continue
    if (!CEL_GO_FUNCTIONS.has(token.text)) out.unknownFunction ??= token.text
    const renamed = RENAMED.get(token.text)
    if (renamed === undefined) continue
    text += expr.slice(copied, token.start) + renamed
    copied = token.start + token.text.length
    const [literal, close] = [tokens[n + 2], tokens[n + 3]]
    if (
      token.text === 'matches' &&
      tokens[n - 1]?.text === '.' &&
      literal?.kind === 'string' &&
      close?.text === ')'
    )
      out.literalPatterns.push(literal.text)
  }
  out.text = text + expr.slice(copied)
  return out
}

/** A cel-js message about a rewritten expression, in the words of the expression as written. */
export function asWritten(message: string): string {
  let out = message
  for (const [name, renamed] of RENAMED) out = out.replaceAll(renamed, name)
  return out
}

// cel-go's Unix range for timestamps: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
const MIN_UNIX = -62135596800
const MAX_UNIX = 253402300799

function timestampOf(unix: number, ms: number): Date {
  if (unix < MIN_UNIX || unix > MAX_UNIX) throw new Error('timestamp overflow')
  return new Date(ms)
}

/** Declares the renamed functions, and conversions cel-go has and cel-js lacks. */
export function withGoFunctions(env: Environment): Environment {
  const { Duration } = celLibrary()
  return env
    .registerFunction('string.matchGo(string): bool', goMatches)
    .registerFunction('matchGo(string, string): bool', goMatches)
    .registerFunction('timestaGo(string): google.protobuf.Timestamp', (text: string) => {
      const parsed = goParseRfc3339(text)
      if (typeof parsed === 'string') throw new Error(parsed)
      return timestampOf(parsed.unix, parsed.ms)
    })
    .registerFunction('timestaGo(int): google.protobuf.Timestamp', (seconds: bigint) =>
      timestampOf(Number(seconds), Number(seconds) * 1000),
    )
    .registerFunction('duratiGo(string): google.protobuf.Duration', (text: string) => {
      const ns = goParseDuration(text)
      if (typeof ns === 'string') throw new Error(ns)
      const abs = ns < 0n ? -ns : ns
      const [seconds, nanos] = [abs / 1_000_000_000n, Number(abs % 1_000_000_000n)]
      return ns < 0n ? new Duration(-seconds, -nanos) : new Duration(seconds, nanos)
    })
    .registerFunction('string(google.protobuf.Duration): string', (d: { seconds: bigint; nanos: number }) => {
      return `${goFormatFixed(Number(d.seconds) + d.nanos / 1e9)}s`
    })
    .registerFunction('int(google.protobuf.Timestamp): int', (t: Date) =>
      BigInt(Math.floor(t.getTime() / 1000)),
    )
}

/**
 * Why KrakenD's type check would refuse the rewritten expression (so KrakenD would skip it), or
 * undefined. Beyond cel-js's own check: functions cel-go lacks, and ordering numbers of different
 * types (`1 < 1.5`), which cel-go refuses without its cross-type option and cel-js allows.
 */
export function celCheckProblem(env: Environment, rewritten: RewrittenExpression): string | undefined {
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
  for (const node of astNodes((parsed as unknown as { ast: unknown }).ast)) {
    if (!ORDERING.has(node.op)) continue
    const [left, right] = [node.left?.checkedType?.name, node.right?.checkedType?.name]
    if (left !== right && NUMBERS.has(left ?? '') && NUMBERS.has(right ?? ''))
      return `found no matching overload for '_${node.op}_' applied to '(${left}, ${right})'`
  }
  return undefined
}

const ORDERING = new Set(['<', '<=', '>', '>='])
const NUMBERS = new Set(['int', 'uint', 'double'])

interface AstNode {
  op: string
  left?: AstNode & { checkedType?: { name: string } }
  right?: AstNode & { checkedType?: { name: string } }
  args?: unknown
}

/** Every node of a checked cel-js AST (operators keep their operands in left/right, others in args). */
function* astNodes(root: unknown): Generator<AstNode> {
  const stack = [root]
  const seen = new Set<unknown>()
  while (stack.length > 0) {
    const value = stack.pop()
    if (typeof value !== 'object' || value === null || seen.has(value)) continue
    seen.add(value)
    if (Array.isArray(value)) {
      stack.push(...value)
      continue
    }
    const node = value as AstNode
    if (typeof node.op !== 'string') continue
    yield node
    stack.push(node.left, node.right, node.args)
  }
}

/** The handler both `matchGo` overloads run. */
export function goMatches(text: string, pattern: string): boolean {
  return compiledPattern(pattern).test(text)
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

interface Token {
  kind: 'ident' | 'string' | 'other'
  text: string
  start: number
}

/** CEL's lexemes as far as the rewrite needs them: identifiers, string literals, single characters. */
function celTokens(expr: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < expr.length) {
    const c = expr[i] as string
    if (/\s/.test(c)) {
      i += 1
      continue
    }
    if (expr.startsWith('//', i)) {
      const end = expr.indexOf('\n', i)
      i = end === -1 ? expr.length : end + 1
      continue
    }
    const prefix = /^[rRbB]{0,2}['"]/.exec(expr.slice(i, i + 3))?.[0]
    if (prefix !== undefined && !/^(rr|bb)/i.test(prefix)) {
      const end = stringEnd(expr, i + prefix.length - 1, /r/i.test(prefix))
      tokens.push({ kind: 'string', text: expr.slice(i, end), start: i })
      i = end
      continue
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr.slice(i, i + 256))?.[0]
    if (ident !== undefined) {
      tokens.push({ kind: 'ident', text: ident, start: i })
      i += ident.length
      continue
    }
    tokens.push({ kind: 'other', text: c, start: i })
    i += 1
  }
  return tokens
}

/** The index after the string literal whose opening quote is at `quote`. */
function stringEnd(expr: string, quote: number, raw: boolean): number {
  const q = expr[quote] as string
  const triple = expr.startsWith(q.repeat(3), quote)
  const closing = triple ? q.repeat(3) : q
  let j = quote + closing.length
  while (j < expr.length) {
    if (!raw && expr[j] === '\\') j += 2
    else if (expr.startsWith(closing, j)) return j + closing.length
    else if (!triple && (expr[j] === '\n' || expr[j] === '\r')) return j
    else j += 1
  }
  return expr.length
}
