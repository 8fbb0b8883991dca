/**
 * Executes parsed templates with Go text/template semantics for the supported subset: truthiness,
 * `.` rebinding in range/with, variables scoped to their block, piped values passed as the last
 * argument, and values printed as Go's fmt.Sprint prints JSON-decoded data. A missing map key is
 * `undefined`: falsy in if/with/range and accepted by `default`, but an error when printed
 * (Go would print "<no value>" into the config).
 */
import { goFormatFloat } from '../../go-float.ts'
import { goJson } from '../../go-json.ts'
import { type Arg, type Command, type Node, type Pipeline, TemplateError } from './parse.ts'
import type { RenderedSpan } from './source-map.ts'

export type Func = (...args: unknown[]) => unknown

export interface ExecContext {
  templates: Map<string, { nodes: Node[]; file: string }>
  funcs: Record<string, Func>
  /** Given, every piece of output is reported with the source that wrote it (the source map). */
  record?: ((span: RenderedSpan) => void) | undefined
  /** The settings (the top-level data), to tell a settings value from a field of something else. */
  root?: unknown
}

class Scope {
  readonly #vars: Array<Map<string, unknown>> = [new Map()]
  constructor(root: unknown) {
    this.#vars[0]?.set('$', root)
  }
  push(): void {
    this.#vars.push(new Map())
  }
  pop(): void {
    this.#vars.pop()
  }
  declare(name: string, value: unknown): void {
    this.#vars.at(-1)?.set(name, value)
  }
  find(name: string): { found: boolean; value: unknown; set: (v: unknown) => void } {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      const vars = this.#vars[i] as Map<string, unknown>
      if (vars.has(name)) return { found: true, value: vars.get(name), set: (v) => vars.set(name, v) }
    }
    return { found: false, value: undefined, set: () => {} }
  }
}

const MAX_DEPTH = 100

export function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return Object.keys(value).length > 0
  return true
}

/** fmt.Sprint of one JSON-like value. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return goFormatFloat(value)
  if (typeof value === 'boolean') return String(value)
  if (value === null) return '<nil>'
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`
  if (typeof value === 'object')
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${formatValue((value as Record<string, unknown>)[k])}`)
      .join(' ')}]`
  return String(value)
}

/** `base`: where this output starts in the whole rendered text (a `{{ template }}` call's position). */
export function execute(
  nodes: Node[],
  data: unknown,
  context: ExecContext,
  file: string,
  depth = 0,
  base = 0,
  name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1),
): string {
  if (depth > MAX_DEPTH)
    throw new TemplateError(file, 0, `templates nested deeper than ${MAX_DEPTH} (recursion?)`)
  const scope = new Scope(data)
  let out = ''
  // The pipeline being evaluated: execution errors name it, as Go's do.
  let current: Pipeline | undefined
  const fail = (line: number, message: string): never => {
    throw new TemplateError(
      file,
      line,
      message,
      current && { template: name, column: current.column, action: current.source },
    )
  }

  const field = (base: unknown, path: string[], line: number, shown: string): unknown => {
    let value = base
    for (const key of path) {
      if (value === undefined || value === null) return undefined
      if (typeof value !== 'object' || Array.isArray(value))
        fail(
          line,
          `can't evaluate field ${key} in ${shown}: it is ${Array.isArray(value) ? 'a list' : typeof value}`,
        )
      value = Object.hasOwn(value as object, key) ? (value as Record<string, unknown>)[key] : undefined
    }
    return value
  }

  const evalArg = (arg: Arg, dot: unknown, line: number): unknown => {
    switch (arg.kind) {
      case 'string':
      case 'number':
      case 'bool':
        return arg.value
      case 'nil':
        return null
      case 'pipe':
        return evalPipeline(arg.pipe, dot)
      case 'call':
        return call(arg.name, [], undefined, dot, line)
      case 'field': {
        const shown = `${arg.base === 'dot' ? '' : arg.base}.${arg.path.join('.')}`
        if (arg.base === 'dot') return field(dot, arg.path, line, shown)
        const variable = scope.find(arg.base)
        if (!variable.found) fail(line, `undefined variable "${arg.base}"`)
        return field(variable.value, arg.path, line, shown)
      }
    }
  }

  const call = (
    name: string,
    args: Arg[],
    piped: { value: unknown } | undefined,
    dot: unknown,
    line: number,
  ) => {
    if (name === 'and' || name === 'or') {
      const all = [...args.map((a) => () => evalArg(a, dot, line)), ...(piped ? [() => piped.value] : [])]
      if (all.length === 0) fail(line, `wrong number of args for ${name}: want at least 1 got 0`)
      let last: unknown
      for (const get of all) {
        last = get()
        if (name === 'and' ? !truthy(last) : truthy(last)) return last
      }
      return last
    }
    const fn = Object.hasOwn(context.funcs, name) ? context.funcs[name] : undefined
    if (!fn)
      fail(
        line,
        `function "${name}" is not supported (supported: ${Object.keys(context.funcs).concat('and', 'or').sort().join(', ')})`,
      )
    const values = args.map((a) => evalArg(a, dot, line))
    if (piped) values.push(piped.value)
    try {
      return (fn as Func)(...values)
    } catch (error) {
      if (error instanceof TemplateError) throw error
      return fail(line, `error calling ${name}: ${(error as Error).message}`)
    }
  }

  const evalCommand = (command: Command, piped: { value: unknown } | undefined, dot: unknown): unknown => {
    const [first, ...rest] = command.args
    if (!first) return fail(command.line, 'empty command')
    if (first.kind === 'call') return call(first.name, rest, piped, dot, command.line)
    if (piped) fail(command.line, 'a piped value can only be passed to a function')
    return evalArg(first, dot, command.line)
  }

  const evalPipeline = (pipe: Pipeline, dot: unknown): unknown => {
    current = pipe
    let piped: { value: unknown } | undefined
    for (const command of pipe.commands) piped = { value: evalCommand(command, piped, dot) }
    const value = piped?.value
    if (pipe.decl.length === 1) {
      const name = pipe.decl[0] as string
      if (pipe.assign) {
        const variable = scope.find(name)
        if (!variable.found) fail(pipe.line, `undefined variable "${name}"`)
        variable.set(value)
      } else scope.declare(name, value)
    }
    return value
  }

  const print = (value: unknown, node: Extract<Node, { kind: 'action' }>, dot: unknown) => {
    if (value === undefined)
      fail(
        node.pipe.line,
        'the value is missing (a settings key or field that does not exist); use `default` for optional ones',
      )
    const text = formatValue(value)
    if (context.record && text) {
      const start = base + out.length
      const settings = settingsKeyOf(node.pipe, dot === context.root, data === context.root)
      context.record({
        kind: 'value',
        start,
        end: start + text.length,
        file,
        at: node.at,
        action: node.source.trim(),
        text,
        ...(settings ? { settings } : {}),
      })
    }
    out += text
  }

  const run = (list: Node[], dot: unknown) => {
    for (const node of list) {
      current = undefined
      switch (node.kind) {
        case 'text':
          if (context.record) {
            const start = base + out.length
            context.record({ kind: 'text', start, end: start + node.text.length, file, at: node.at })
          }
          out += node.text
          break
        case 'action': {
          const value = evalPipeline(node.pipe, dot)
          if (node.pipe.decl.length === 0) print(value, node, dot)
          break
        }
        case 'if':
        case 'with': {
          scope.push()
          const value = evalPipeline(node.pipe, dot)
          if (truthy(value)) run(node.body, node.kind === 'with' ? value : dot)
          else run(node.else, dot)
          scope.pop()
          break
        }
        case 'range': {
          scope.push()
          const decl = node.pipe.decl
          const value = evalPipeline({ ...node.pipe, decl: [] }, dot)
          let entries: Array<[unknown, unknown]>
          if (value === undefined || value === null) entries = []
          else if (Array.isArray(value)) entries = value.map((v, i) => [i, v])
          else if (typeof value === 'object')
            entries = Object.keys(value)
              .sort()
              .map((k) => [k, (value as Record<string, unknown>)[k]])
          else return fail(node.pipe.line, `range can't iterate over ${formatValue(value)}`)
          if (entries.length === 0) run(node.else, dot)
          for (const [key, item] of entries) {
            scope.push()
            if (decl.length === 1) scope.declare(decl[0] as string, item)
            if (decl.length === 2) {
              scope.declare(decl[0] as string, key)
              scope.declare(decl[1] as string, item)
            }
            run(node.body, item)
            scope.pop()
          }
          scope.pop()
          break
        }
        case 'template': {
          const target = context.templates.get(node.name)
          if (!target)
            fail(
              node.line,
              `no such template "${node.name}" (define it, or put ${node.name} in FC_TEMPLATES)`,
            )
          const arg = node.pipe ? evalPipeline(node.pipe, dot) : undefined
          const { nodes, file: where } = target as { nodes: Node[]; file: string }
          out += execute(nodes, arg, context, where, depth + 1, base + out.length, node.name)
          break
        }
      }
    }
  }

  run(nodes, data)
  return out
}

/**
 * The settings key an action prints, when its value comes from one: the first field of the
 * pipeline read from the settings root (`.service.port`, `$.service.port`, `marshal .service`).
 */
function settingsKeyOf(
  pipe: Pipeline,
  dotIsRoot: boolean,
  dollarIsRoot: boolean,
): { name: string; key: string[] } | undefined {
  for (const command of pipe.commands)
    for (const arg of command.args) {
      if (arg.kind !== 'field') continue
      if (!((arg.base === '$' && dollarIsRoot) || (arg.base === 'dot' && dotIsRoot))) return undefined
      const [name, ...key] = arg.path
      return name ? { name, key } : undefined
    }
  return undefined
}

/** JSON as Go's json.Marshal writes it (KrakenD's `marshal`, sprig's `toJson`). */
export const marshal = (value: unknown): string => (value === undefined ? 'null' : goJson(value))
