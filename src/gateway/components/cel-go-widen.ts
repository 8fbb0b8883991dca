/**
 * cel-go joins a type parameter to the most general type it meets (checker isValidTypeSubstitution:
 * `[1u] + [dyn(1)]` is a list(dyn), so `+ ['a']` checks, and so do a conditional's branches); cel-js
 * keeps the first binding (list<uint>) and refuses what follows. Where cel-js refuses and cel-go's
 * check accepts, the operands of each list or map `+` and the branches of each conditional of those
 * types are wrapped in dyn(), so cel-js types and evaluates them as cel-go does.
 */
import type { Environment } from '@marcbachmann/cel-js'
import { type AstNode, astNodes } from './cel-ast.ts'
import { type Node as CheckNode, goCheck, operands } from './cel-go-check.ts'
import { applyEdits, type Edit } from './cel-go-syntax.ts'
import { fromCelJs, type GoType } from './cel-go-types.ts'
import { KRAKEND_CEL_VARIABLES } from './cel-variables.ts'

const DECLARED: ReadonlyMap<string, GoType> = new Map(
  KRAKEND_CEL_VARIABLES.map(([name, type]) => [name, fromCelJs(type)]),
)

const isContainer = (type: GoType | undefined) => type?.kind === 'list' || type?.kind === 'map'

/** The text with cel-go's joins made dyn, or undefined when cel-go's check refuses it too (or nothing joins). */
export function widenedJoins(env: Environment, text: string): string | undefined {
  let ast: unknown
  try {
    const parsed = env.parse(text)
    parsed.check()
    ast = (parsed as unknown as { ast: unknown }).ast
  } catch {
    return undefined
  }
  const { problem, typeOf } = goCheck(ast, { declared: DECLARED, recordTypes: true })
  if (problem !== undefined || typeOf === undefined) return undefined
  const wrapped = new Set<string>()
  const edits: Edit[] = []
  const wrap = (node: AstNode | undefined) => {
    if (node?.start === undefined || node.end === undefined) return
    const key = `${node.start}:${node.end}`
    if (wrapped.has(key)) return
    wrapped.add(key)
    edits.push({ at: node.start, remove: 0, insert: 'dyn(' }, { at: node.end, remove: 0, insert: ')' })
  }
  for (const node of astNodes(ast)) {
    if (!isContainer(typeOf(node))) continue
    const [first, second, third] = operands(node as CheckNode) as Array<AstNode | undefined>
    // Both operands: cel-go types `dyn + list(string)` a list(string), `dyn + dyn` a dyn, as the
    // join it made (a conversion of an element then keeps all its overloads, cel-go-dispatch.ts).
    if (node.op === '+') {
      wrap(first)
      wrap(second)
    } else if (node.op === '?:') {
      wrap(second)
      wrap(third)
    }
  }
  return edits.length === 0 ? undefined : applyEdits(text, edits)
}
