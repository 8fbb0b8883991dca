/**
 * What cel-go decides when it plans or runs a program, not when it checks it. A comprehension's
 * range: a macro (`all`, `exists`, `exists_one`, `map`, `filter`) over a value that is no list or
 * map fails ("expected iterable type"). cel-js iterated the own keys of any object, so a dyn
 * timestamp, duration, uint or type was an empty range: `dyn(timestamp(now)).all(x, false)` was
 * true (KrakenD: the evaluation fails, the request is refused). The macro's receiver node gets an
 * evaluation that checks what it gives.
 */
import type { AstNode } from './cel-ast.ts'
import { isJsonMap } from './cel-go-equality.ts'

type Evaluate = (ev: unknown, ast: unknown, ctx: unknown) => unknown

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter'])

const iterable = (value: unknown) =>
  Array.isArray(value) || value instanceof Map || value instanceof Set || isJsonMap(value)

/** For a macro call node, makes its receiver fail unless it evaluates to a list or a map. */
export function checkMacroRange(node: AstNode): void {
  if (node.op !== 'rcall' || !Array.isArray(node.args) || !COMPREHENSIONS.has(node.args[0] as string)) return
  const receiver = node.args[1] as { evaluate: Evaluate } | undefined
  if (receiver === undefined) return
  // cel-js replaces a node's evaluate on its first call (this.evaluate = ...): keep that one inside.
  let inner = receiver.evaluate
  const checked: Evaluate = (ev, ast, ctx) => {
    const value = inner.call(receiver, ev, ast, ctx)
    if (value instanceof Promise || iterable(value)) return value
    throw new Error(`got '${typeName(value)}', expected iterable type`)
  }
  Object.defineProperty(receiver, 'evaluate', {
    configurable: true,
    get: () => checked,
    set: (replacement: Evaluate) => {
      inner = replacement
    },
  })
}

function typeName(value: unknown): string {
  if (value instanceof Date) return 'types.Timestamp'
  if (value instanceof Uint8Array) return 'types.Bytes'
  if (value === null) return 'types.Null'
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value
}

/**
 * cel-go plans a literal index as a constant qualifier and has none for bytes or null: building
 * the program fails ("invalid qualifier type"), so KrakenD drops the expression's whole list.
 */
export function constantIndexProblem(node: AstNode): string | undefined {
  if (node.op !== '[]' || !Array.isArray(node.args)) return undefined
  const index = node.args[1] as AstNode | undefined
  if (index?.op !== 'value') return undefined
  if (index.args === null) return 'invalid qualifier type: types.Null'
  if (index.args instanceof Uint8Array) return 'invalid qualifier type: types.Bytes'
  return undefined
}

/** cel-go's `-_` on what the value is: int (failing on the smallest), double, else no overload. */
export function goNegate(value: unknown): unknown {
  if (typeof value === 'number') return -value
  if (typeof value !== 'bigint') throw new Error('no such overload: -_')
  if (value === -(2n ** 63n)) throw new Error('integer overflow')
  return -value
}
