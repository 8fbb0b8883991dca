/**
 * A strict parser for the subset of Go's text/template that KrakenD's flexible configuration is
 * written in: text, `{{ }}` actions with `{{-`/`-}}` trimming, comments, pipelines with `|`,
 * fields (`.a.b`, `$x.a`), variables (`$x :=`, `$x =`), literals, parentheses, and the actions
 * if/else if/else, range (with `$i, $e :=`), with, define, template, block. Anything else is a
 * TemplateError naming the file and line, never text passed through.
 */

import { lex, type Token } from './lex.ts'
import { TemplateError } from './template-error.ts'

export { TemplateError }

export type Arg =
  | { kind: 'field'; base: 'dot' | string; path: string[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'call'; name: string }
  | { kind: 'pipe'; pipe: Pipeline }

export interface Command {
  args: Arg[]
  line: number
}

export interface Pipeline {
  /** The pipeline as written, and its 1-based column: what an execution error names. */
  source: string
  column: number
  decl: string[]
  /** `=` assigns an existing variable instead of declaring one. */
  assign: boolean
  commands: Command[]
  line: number
}

/** `at`: the offset in the template file of the text, or of the action's `{{`: where rendered text maps back to. */
export type Node =
  | { kind: 'text'; text: string; at: number }
  | { kind: 'action'; pipe: Pipeline; at: number; source: string }
  | { kind: 'if' | 'with'; pipe: Pipeline; body: Node[]; else: Node[] }
  | { kind: 'range'; pipe: Pipeline; body: Node[]; else: Node[] }
  | { kind: 'template'; name: string; pipe: Pipeline | undefined; line: number; at: number }

export interface ParsedFile {
  root: Node[]
  defines: Map<string, Node[]>
}

type Word =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'id'; v: string }
  | { t: 'field'; v: string }
  | { t: 'var'; v: string }
  | { t: 'op'; v: '|' | '(' | ')' | ',' | ':=' | '=' }

function words(body: string, file: string, line: number): Word[] {
  const out: Word[] = []
  let i = 0
  const fail = (message: string): never => {
    throw new TemplateError(file, line, message)
  }
  while (i < body.length) {
    const c = body[i] as string
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '"') {
      let j = i + 1
      while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1
      if (j >= body.length) fail('unterminated string')
      try {
        out.push({ t: 'str', v: JSON.parse(body.slice(i, j + 1)) as string })
      } catch {
        fail(`unsupported escape in string ${body.slice(i, j + 1)}`)
      }
      i = j + 1
      continue
    }
    if (c === '`') {
      const j = body.indexOf('`', i + 1)
      out.push({ t: 'str', v: body.slice(i + 1, j) })
      i = j + 1
      continue
    }
    if (body.startsWith(':=', i)) {
      out.push({ t: 'op', v: ':=' })
      i += 2
      continue
    }
    if ('|(),='.includes(c)) {
      out.push({ t: 'op', v: c as '|' })
      i++
      continue
    }
    const m =
      /^(\$[A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*|\.([A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*)?|[-+]?\d[\d_.eExX+-]*|[A-Za-z_][A-Za-z0-9_]*)/.exec(
        body.slice(i),
      )
    if (!m) fail(`unexpected "${c}" in action`)
    const w = (m as RegExpExecArray)[0]
    if (w.startsWith('$')) out.push({ t: 'var', v: w })
    else if (w.startsWith('.')) out.push({ t: 'field', v: w })
    else if (/^[-+]?\d/.test(w)) {
      const n = Number(w.replaceAll('_', ''))
      if (!Number.isFinite(n)) fail(`bad number ${w}`)
      out.push({ t: 'num', v: n })
    } else out.push({ t: 'id', v: w })
    i += w.length
  }
  return out
}

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
])

class PipelineParser {
  #i = 0
  readonly #w: Word[]
  readonly #file: string
  readonly #line: number
  readonly #at: { source: string; column: number }
  constructor(w: Word[], file: string, line: number, at: { source: string; column: number }) {
    this.#w = w
    this.#file = file
    this.#line = line
    this.#at = at
  }
  fail(message: string): never {
    throw new TemplateError(this.#file, this.#line, message)
  }
  get done(): boolean {
    return this.#i >= this.#w.length
  }
  pipeline(allowDecl: boolean, stopAtParen = false): Pipeline {
    const pipe: Pipeline = { ...this.#at, decl: [], assign: false, commands: [], line: this.#line }
    if (allowDecl) {
      // $x := ..., $i, $e := ..., $x = ...
      const w0 = this.#w[this.#i]
      const w1 = this.#w[this.#i + 1]
      const w2 = this.#w[this.#i + 2]
      const w3 = this.#w[this.#i + 3]
      if (w0?.t === 'var' && w1?.t === 'op' && (w1.v === ':=' || w1.v === '=')) {
        pipe.decl = [w0.v]
        pipe.assign = w1.v === '='
        this.#i += 2
      } else if (
        w0?.t === 'var' &&
        w1?.t === 'op' &&
        w1.v === ',' &&
        w2?.t === 'var' &&
        w3?.t === 'op' &&
        w3.v === ':='
      ) {
        pipe.decl = [w0.v, w2.v]
        this.#i += 4
      }
    }
    for (;;) {
      pipe.commands.push(this.command(stopAtParen))
      const next = this.#w[this.#i]
      if (next?.t === 'op' && next.v === '|') {
        this.#i++
        continue
      }
      break
    }
    return pipe
  }
  command(stopAtParen: boolean): Command {
    const args: Arg[] = []
    while (this.#i < this.#w.length) {
      const w = this.#w[this.#i] as Word
      if (w.t === 'op' && (w.v === '|' || (w.v === ')' && stopAtParen))) break
      this.#i++
      if (w.t === 'str') args.push({ kind: 'string', value: w.v })
      else if (w.t === 'num') args.push({ kind: 'number', value: w.v })
      else if (w.t === 'field')
        args.push({ kind: 'field', base: 'dot', path: w.v.split('.').filter(Boolean) })
      else if (w.t === 'var') {
        const [name, ...path] = w.v.split('.')
        args.push({ kind: 'field', base: name as string, path })
      } else if (w.t === 'id') {
        if (w.v === 'true' || w.v === 'false') args.push({ kind: 'bool', value: w.v === 'true' })
        else if (w.v === 'nil') args.push({ kind: 'nil' })
        else if (KEYWORDS.has(w.v)) this.fail(`"${w.v}" cannot be used here`)
        else args.push({ kind: 'call', name: w.v })
      } else if (w.v === '(') {
        const pipe = this.pipeline(false, true)
        const close = this.#w[this.#i]
        if (!(close?.t === 'op' && close.v === ')')) this.fail('missing ")"')
        this.#i++
        args.push({ kind: 'pipe', pipe })
      } else this.fail(`unexpected "${w.v}"`)
    }
    if (args.length === 0) this.fail('missing value for command')
    const first = args[0] as Arg
    if (args.length > 1 && first.kind !== 'call')
      this.fail(`can't give argument to non-function ${describe(first)}`)
    return { args, line: this.#line }
  }
}

function describe(arg: Arg): string {
  if (arg.kind === 'field') return `${arg.base === 'dot' ? '' : arg.base}.${arg.path.join('.')}`
  if (arg.kind === 'string') return JSON.stringify(arg.value)
  if (arg.kind === 'number' || arg.kind === 'bool') return String(arg.value)
  return arg.kind
}

function parsePipeline(
  body: string,
  file: string,
  line: number,
  allowDecl: boolean,
  column: number,
): Pipeline {
  const parser = new PipelineParser(words(body, file, line), file, line, { source: body.trim(), column })
  const pipe = parser.pipeline(allowDecl)
  if (!parser.done) parser.fail('unexpected ")" or extra input in action')
  return pipe
}

/** Parses one template file; `define` blocks go to `defines`. */
export function parseTemplate(text: string, file: string): ParsedFile {
  const tokens = lex(text, file)
  const defines = new Map<string, Node[]>()
  let index = 0
  // `fragment` is the tail of the action just read: its column is where the pipeline starts.
  const pipeline = (fragment: string, line: number, allowDecl: boolean): Pipeline => {
    const token = tokens[index - 1] as Extract<Token, { type: 'action' }>
    const offset = token.bodyAt + token.body.lastIndexOf(fragment.trim())
    return parsePipeline(fragment, file, line, allowDecl, offset - text.lastIndexOf('\n', offset - 1))
  }
  // Returns the nodes up to an {{end}}/{{else ...}} (which it reports) or the end of input.
  const parseList = (
    inside: string | undefined,
  ): { nodes: Node[]; stop: 'end' | 'else' | 'eof'; elseBody?: string; line: number } => {
    const nodes: Node[] = []
    while (index < tokens.length) {
      const token = tokens[index++] as Token
      if (token.type === 'text') {
        nodes.push({ kind: 'text', text: token.text, at: token.at })
        continue
      }
      const body = token.body.trim()
      const { line, at } = token
      if (body.startsWith('/*')) {
        if (!body.endsWith('*/')) throw new TemplateError(file, line, 'unclosed comment')
        continue
      }
      const keyword = /^([a-z]+)\b/.exec(body)?.[1]
      const rest = keyword ? body.slice(keyword.length).trim() : body
      if (keyword === 'end' || keyword === 'else') {
        if (!inside) throw new TemplateError(file, line, `unexpected {{${keyword}}}`)
        if (keyword === 'end' && rest) throw new TemplateError(file, line, 'unexpected input after "end"')
        return { nodes, stop: keyword, elseBody: rest, line }
      }
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
        nodes.push(parseBranch(keyword, rest, line))
      } else if (keyword === 'define' || keyword === 'block') {
        const m = /^("(?:[^"\\]|\\.)*"|`[^`]*`)\s*(.*)$/s.exec(rest)
        if (!m) throw new TemplateError(file, line, `${keyword} needs a quoted template name`)
        const name = (m[1] as string).startsWith('`')
          ? (m[1] as string).slice(1, -1)
          : (JSON.parse(m[1] as string) as string)
        const body = parseList(keyword)
        if (body.stop !== 'end') throw new TemplateError(file, line, `{{${keyword}}} without {{end}}`)
        defines.set(name, body.nodes)
        if (keyword === 'block') {
          if (!m[2]) throw new TemplateError(file, line, 'block needs a pipeline')
          nodes.push({
            kind: 'template',
            name,
            pipe: pipeline(m[2] as string, line, false),
            line,
            at,
          })
        } else if (inside) throw new TemplateError(file, line, 'define is only allowed at the top level')
      } else if (keyword === 'template') {
        const m = /^("(?:[^"\\]|\\.)*"|`[^`]*`)\s*(.*)$/s.exec(rest)
        if (!m) throw new TemplateError(file, line, 'template needs a quoted template name')
        const name = (m[1] as string).startsWith('`')
          ? (m[1] as string).slice(1, -1)
          : (JSON.parse(m[1] as string) as string)
        nodes.push({
          kind: 'template',
          name,
          pipe: m[2] ? pipeline(m[2] as string, line, false) : undefined,
          line,
          at,
        })
      } else if (keyword === 'break' || keyword === 'continue') {
        throw new TemplateError(file, line, `{{${keyword}}} is not supported`)
      } else {
        nodes.push({ kind: 'action', pipe: pipeline(body, line, true), at, source: body })
      }
    }
    if (inside)
      throw new TemplateError(file, lastLine(), `unexpected end of file: {{${inside}}} without {{end}}`)
    return { nodes, stop: 'eof', line: lastLine() }
  }
  const lastLine = () => {
    for (let i = tokens.length - 1; i >= 0; i--) {
      const t = tokens[i] as Token
      if (t.type === 'action') return t.line
    }
    return 1
  }
  const parseBranch = (keyword: 'if' | 'with' | 'range', rest: string, line: number): Node => {
    if (!rest) throw new TemplateError(file, line, `missing pipeline after ${keyword}`)
    const pipe = pipeline(rest, line, true)
    const body = parseList(keyword)
    let elseNodes: Node[] = []
    if (body.stop === 'else') {
      if (body.elseBody && keyword !== 'range') {
        // {{else if ...}} / {{else with ...}}: a nested branch that shares this {{end}}.
        const m = /^(if|with)\b\s*(.*)$/s.exec(body.elseBody)
        if (!m) throw new TemplateError(file, body.line, `unexpected "${body.elseBody}" after else`)
        elseNodes = [parseBranch(m[1] as 'if' | 'with', m[2] as string, body.line)]
        return keyword === 'if' || keyword === 'with'
          ? { kind: keyword, pipe, body: body.nodes, else: elseNodes }
          : { kind: 'range', pipe, body: body.nodes, else: elseNodes }
      }
      if (body.elseBody) throw new TemplateError(file, body.line, `unexpected "${body.elseBody}" after else`)
      const tail = parseList(keyword)
      if (tail.stop !== 'end') throw new TemplateError(file, line, `{{${keyword}}} without {{end}}`)
      elseNodes = tail.nodes
    }
    return keyword === 'range'
      ? { kind: 'range', pipe, body: body.nodes, else: elseNodes }
      : { kind: keyword, pipe, body: body.nodes, else: elseNodes }
  }
  const { nodes } = parseList(undefined)
  return { root: nodes, defines }
}
