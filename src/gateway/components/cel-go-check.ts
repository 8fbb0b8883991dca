/**
 * cel-go's (v0.29) type check of the rewritten expression's cel-js AST, for what cel-js types
 * otherwise: a free type parameter (an empty literal's element `[][i]`, a dyn indexed by a key of
 * another type than int, `resp_data.c[0u]`) and everything it flows into (a list literal, a
 * conditional, a macro's variable) binds to the FIRST overload that takes it. So
 * - `int([resp_data.c[0u]][0])` and `uint(c ? 1 : resp_data.c[0u])` keep only `int(int)` /
 *   `uint(int)`: at run time any other value fails ("no such overload: int(string)"), where
 *   cel-js (typing them dyn) converted it and let the request through;
 * - `resp_data.t + [' ']` is a `list(string)` and `resp_data.big + [][i]` a `bytes`, so
 *   `2.5 in resp_data.t + [' ']` does not check: KrakenD skips the expression (a config error
 *   here, as every check failure), where cel-js only failed at run time.
 * Functions it does not know (cel-js refused them already) are dyn, which never refuses.
 */

import {
  CONVERSIONS,
  GLOBAL,
  GO_NAMES,
  MEMBER,
  ORDER_ALL,
  ORDER_SAME_TYPE,
  ORDERINGS,
  type Overload,
  PARAM_A,
  PARAM_B,
} from './cel-go-overloads.ts'
import {
  assignable,
  DYN,
  exact,
  fromCelJs,
  type GoType,
  listOf,
  type Mapping,
  mapOf,
  mostGeneral,
  prim,
  substitute,
  typeText,
} from './cel-go-types.ts'

export interface CheckedConversions {
  /** Why cel-go's check refuses the expression, else undefined. */
  problem?: string
  /** A conversion call node whose overloads the check narrowed: the argument types it still takes. */
  narrowed: Map<object, string[]>
  /** A node's type as the whole check settled it (only when asked for). */
  typeOf?: (node: object) => GoType | undefined
}

export interface GoCheckOptions {
  /** Variables' types, for an AST cel-js's own check did not finish typing. */
  declared?: ReadonlyMap<string, GoType>
  /** Keep each node's type (typeOf). */
  recordTypes?: boolean
}

export interface Node {
  op: string
  args?: unknown
  left?: Node
  right?: Node | string
  condition?: Node
  start?: number
  end?: number
  checkedType?: { name: string }
}

class CheckFailure extends Error {}

/** Checks the AST as cel-go does. */
export function goCheck(ast: unknown, options: GoCheckOptions = {}): CheckedConversions {
  const checker = new Checker(options)
  try {
    checker.check(ast as Node)
  } catch (error) {
    if (!(error instanceof CheckFailure)) throw error
    return { problem: error.message, narrowed: checker.narrowed }
  }
  const { types } = checker
  if (types === undefined) return { narrowed: checker.narrowed }
  const typeOf = (node: object) => {
    const type = types.get(node)
    return type === undefined ? undefined : substitute(checker.mapping, type, true)
  }
  return { narrowed: checker.narrowed, typeOf }
}

class Checker {
  mapping: Mapping = new Map()
  narrowed = new Map<object, string[]>()
  readonly types: Map<object, GoType> | undefined
  private readonly declared: ReadonlyMap<string, GoType> | undefined

  constructor(options: GoCheckOptions) {
    this.declared = options.declared
    if (options.recordTypes) this.types = new Map()
  }
  private nextParam = 0
  /** Macro variables; krakend-cel's own variables keep the types cel-js checked them with. */
  private scopes: Array<Map<string, GoType>> = []

  /**
   * cel-go's check env drops its disabled overloads (the int/uint/double orderings) when it enters
   * a comprehension's scope (checker/env.go enterScope), never to get them back: an ordering across
   * number types checks once a macro's range has been checked, in or after the macro.
   */
  private crossTypeOrderings = false

  check(node: Node): GoType {
    const type = this.checkNode(node)
    this.types?.set(node, type)
    return type
  }

  private checkNode(node: Node): GoType {
    switch (node.op) {
      case 'value':
        return literalType(node.args)
      case 'id':
        return this.lookup(node.args as string, node)
      case '.':
        return this.select(this.check(operands(node)[0] as Node))
      case 'list':
        return listOf(this.join((node.args as Node[]).map((element) => this.check(element))))
      case 'map': {
        const entries = node.args as Array<[Node, Node]>
        if (entries.length === 0) return mapOf(this.fresh(), this.fresh())
        let key: GoType | undefined
        let value: GoType | undefined
        for (const [k, v] of entries) {
          key = this.joinOne(key, this.check(k))
          value = this.joinOne(value, this.check(v))
        }
        return mapOf(key as GoType, value as GoType)
      }
      case '?:':
        return this.call('?:', node, operands(node))
      case '&&':
      case '||':
        return this.logical(node, operands(node))
      case '!_':
      case '-_':
        return this.call(node.op, node, [node.args as Node])
      case 'call': {
        const [name, args] = node.args as [string, Node[] | undefined]
        if (name === 'hasGo') {
          this.select(this.check((args as Node[])[0] as Node))
          return prim('bool')
        }
        return this.call(name, node, args ?? [])
      }
      case 'rcall':
        return this.memberCall(node)
    }
    const [left, right] = operands(node)
    if (left !== undefined && typeof right === 'object' && GO_NAMES[node.op] !== undefined)
      return this.call(node.op, node, [left, right])
    return fromCelJs(node.checkedType?.name)
  }

  private lookup(name: string, node: Node): GoType {
    for (let i = this.scopes.length - 1; i >= 0; i -= 1) {
      const type = this.scopes[i]?.get(name)
      if (type !== undefined) return type
    }
    return this.declared?.get(name) ?? fromCelJs(node.checkedType?.name)
  }

  private fresh(): GoType {
    this.nextParam += 1
    return { kind: 'param', id: this.nextParam }
  }

  /** checkSelectField: a map's value, dyn for dyn or a type parameter (bound to dyn). */
  private select(operand: GoType): GoType {
    const target = substitute(this.mapping, operand)
    if (target.kind === 'map') return target.value
    if (target.kind === 'param') this.tryAssign([DYN], [target])
    else if (target.kind !== 'dyn' && target.kind !== 'error')
      throw new CheckFailure(`type '${typeText(target)}' does not support field selection`)
    return DYN
  }

  private tryAssign(from: GoType[], to: GoType[]): boolean {
    const next = assignable(this.mapping, from, to)
    if (next === undefined) return false
    this.mapping = next
    return true
  }

  private joinOne(previous: GoType | undefined, current: GoType): GoType {
    if (previous === undefined) return current
    return this.tryAssign([previous], [current]) ? mostGeneral(previous, current) : DYN
  }

  private join(types: GoType[]): GoType {
    let out: GoType | undefined
    for (const type of types) out = this.joinOne(out, type)
    return out ?? this.fresh()
  }

  private logical(node: Node, args: Node[]): GoType {
    for (const arg of args) this.expectBool(this.check(arg))
    void node
    return prim('bool')
  }

  private expectBool(type: GoType): void {
    if (!this.tryAssign([type], [prim('bool')]))
      throw new CheckFailure(
        `expected type 'bool' but found '${typeText(substitute(this.mapping, type, true))}'`,
      )
  }

  private call(name: string, node: Node, args: Node[]): GoType {
    const types = args.map((arg) => this.check(arg))
    return this.resolve(name, node, types, this.overloadsOf(name))
  }

  private overloadsOf(name: string): Overload[] | undefined {
    if (!ORDERINGS.has(name)) return GLOBAL[name]
    return this.crossTypeOrderings ? ORDER_ALL : ORDER_SAME_TYPE
  }

  private resolve(name: string, node: Node, types: GoType[], candidates: Overload[] | undefined): GoType {
    if (candidates === undefined) return fromCelJs(node.checkedType?.name)
    let result: GoType | undefined
    const taken: Overload[] = []
    for (const overload of candidates) {
      const fresh = new Map<number, GoType>([
        [PARAM_A, this.fresh()],
        [PARAM_B, this.fresh()],
      ])
      const params = overload.args.map((arg) => substitute(fresh, arg))
      if (!this.tryAssign(types, params)) continue
      taken.push(overload)
      const type = substitute(this.mapping, substitute(fresh, overload.result))
      if (result === undefined) result = type
      else if (result.kind !== 'dyn' && !exact(type, result)) result = DYN
    }
    if (result === undefined) {
      const shown = types.map((type) => typeText(substitute(this.mapping, type, true)))
      const member = node.op === 'rcall'
      const written = GO_NAMES[name] ?? name
      throw new CheckFailure(
        member
          ? `found no matching overload for '${written}' applied to '${shown[0]}.(${shown.slice(1).join(', ')})'`
          : `found no matching overload for '${written}' applied to '(${shown.join(', ')})'`,
      )
    }
    if (CONVERSIONS.has(name) && taken.length < candidates.length)
      this.narrowed.set(
        node,
        taken.map((overload) => typeText(overload.args[0] as GoType)),
      )
    return result
  }

  private memberCall(node: Node): GoType {
    const [rawName, receiver, args] = node.args as [string, Node, Node[] | undefined]
    if (MACROS.has(rawName) && args !== undefined) return this.macro(rawName, receiver, args)
    const name = rawName.endsWith('Go') && rawName.startsWith('get') ? rawName.slice(0, -2) : rawName
    const types = [this.check(receiver), ...(args ?? []).map((arg) => this.check(arg))]
    return this.resolve(name, node, types, MEMBER[name])
  }

  /** cel-go's macro expansions (parser/macro.go) as comprehensions, checked as it checks them. */
  private macro(name: string, receiver: Node, args: Node[]): GoType {
    const range = substitute(this.mapping, this.check(receiver))
    let variable: GoType
    if (range.kind === 'list') variable = range.elem
    else if (range.kind === 'map') variable = range.key
    else if (range.kind === 'prim')
      // `[null, timestamp(0)]` is a list(timestamp): `x.exists(y, ...)` over one is refused.
      throw new CheckFailure(
        `expression of type '${typeText(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`,
      )
    else {
      if (range.kind === 'param') this.tryAssign([DYN], [range])
      variable = DYN
    }
    const accu = name === 'map' || name === 'filter' ? listOf(this.fresh()) : undefined
    const scope = new Map([[(args[0] as Node).args as string, variable]])
    this.scopes.push(scope)
    this.crossTypeOrderings = true
    try {
      const bodies = args.slice(1).map((arg) => this.check(arg))
      const none = { op: 'macro' } as Node
      const bool = prim('bool')
      if (name === 'all' || name === 'exists') {
        this.expectBool(bodies[0] as GoType)
        return bool
      }
      if (name === 'exists_one') {
        this.resolve('?:', none, [bodies[0] as GoType, prim('int'), prim('int')], GLOBAL['?:'])
        return bool
      }
      const element = name === 'filter' ? variable : (bodies[bodies.length - 1] as GoType)
      const step = this.resolve('+', none, [accu as GoType, listOf(element)], GLOBAL['+'])
      const predicate = name === 'filter' ? bodies[0] : bodies.length > 1 ? bodies[0] : undefined
      if (predicate !== undefined) this.resolve('?:', none, [predicate, step, accu as GoType], GLOBAL['?:'])
      return substitute(this.mapping, accu as GoType)
    } finally {
      this.scopes.pop()
    }
  }
}

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter'])

/**
 * An operator's operands: cel-js's check sets left/right (and a conditional's condition) on the
 * nodes it reaches; `args` holds them from the parse, for a node a refused check never reached.
 */
export function operands(node: Node): Node[] {
  if (node.op === '?:' && node.condition !== undefined)
    return [node.condition, node.left, node.right] as Node[]
  if (node.left !== undefined && node.right !== undefined) return [node.left, node.right] as Node[]
  return Array.isArray(node.args) ? (node.args as Node[]) : []
}

function literalType(value: unknown): GoType {
  switch (typeof value) {
    case 'bigint':
      return prim('int')
    case 'number':
      return prim('double')
    case 'string':
      return prim('string')
    case 'boolean':
      return prim('bool')
  }
  if (value === null) return prim('null_type')
  if (value instanceof Uint8Array) return prim('bytes')
  if (typeof value === 'object' && value.constructor?.name === 'UnsignedInt') return prim('uint')
  return DYN
}
