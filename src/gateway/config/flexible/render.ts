/**
 * KrakenD's flexible configuration (krakend-flexibleconfig, enabled in KrakenD CE by FC_ENABLE):
 * the config file is a Go template executed with the settings as data — every `*.json` file of
 * FC_SETTINGS under its base name (`settings/service.json` is `.service`) — with the `*.tmpl`
 * files of FC_TEMPLATES available to `{{ template "x.tmpl" . }}`, `{{ include "f" }}` pasting a
 * file of FC_PARTIALS verbatim, `{{ marshal .x }}` writing JSON, `{{ env "X" }}` reading the
 * environment, and FC_OUT saving the rendered text. Differences, all refusals instead of KrakenD's
 * silent fallbacks: a template error stops startup (KrakenD logs it and parses the raw file), a
 * missing partial is an error (KrakenD pastes nothing), a missing value cannot be printed (Go
 * prints "<no value>"), and only the functions below exist (KrakenD has all of sprig).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join, resolve, sep } from 'node:path'
import { configError } from '../../../core/errors.ts'
import { setOwnKey } from '../../own-keys.ts'
import { type ExecContext, execute, type Func, formatValue, marshal, truthy } from './execute.ts'
import { type Node, parseTemplate, TemplateError } from './parse.ts'
import type { RenderedSourceMap, RenderedSpan } from './source-map.ts'

export interface FlexibleConfigOptions {
  /** Directory of `*.json` settings files (FC_SETTINGS). */
  settings?: string | undefined
  /** Directory `include` reads from (FC_PARTIALS). */
  partials?: string | undefined
  /** Directory of `*.tmpl` sub-templates (FC_TEMPLATES). */
  templates?: string | undefined
  /** Where the rendered config is written as well (FC_OUT). */
  out?: string | undefined
  /** What `env` reads; undefined = not set (renders ""). */
  env: (name: string) => string | undefined
}

/** FC_* from an environment, as KrakenD CE reads them; undefined when FC_ENABLE is empty/unset. */
export function flexibleConfigFromEnv(
  environ: Record<string, string | undefined>,
): Omit<FlexibleConfigOptions, 'env'> | undefined {
  if (!environ.FC_ENABLE) return undefined
  const dir = (name: string) => (environ[name] ? environ[name] : undefined)
  return {
    settings: dir('FC_SETTINGS'),
    partials: dir('FC_PARTIALS'),
    templates: dir('FC_TEMPLATES'),
    out: dir('FC_OUT'),
  }
}

function listDir(dir: string, suffix: string, what: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(suffix))
      .sort()
  } catch (error) {
    throw configError(
      `${what} directory ${dir} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        hint: `Point ${what} at an existing directory.`,
      },
    )
  }
}

export function loadSettings(dir: string | undefined): Record<string, unknown> {
  const vars: Record<string, unknown> = {}
  if (!dir) return vars
  for (const name of listDir(dir, '.json', 'FC_SETTINGS')) {
    const path = join(dir, name)
    let value: unknown
    try {
      value = JSON.parse(readFileSync(path, 'utf8'))
    } catch (error) {
      throw configError(`settings file ${path} is not valid JSON: ${(error as Error).message}`, {
        location: { file: path },
      })
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw configError(`settings file ${path} must hold a JSON object`, { location: { file: path } })
    setOwnKey(vars, basename(name, '.json'), value)
  }
  return vars
}

function functions(options: FlexibleConfigOptions, partials: Map<string, string>): Record<string, Func> {
  const text = (v: unknown) => (v === undefined ? '' : formatValue(v))
  const num = (v: unknown, name: string) => {
    if (typeof v !== 'number' && typeof v !== 'string')
      throw new Error(`${name}: not comparable: ${formatValue(v)}`)
    return v
  }
  const compare =
    (name: string, test: (a: number | string, b: number | string) => boolean) => (a: unknown, b: unknown) => {
      const x = num(a, name)
      const y = num(b, name)
      if (typeof x !== typeof y)
        throw new Error(`incompatible types for comparison: ${formatValue(a)} and ${formatValue(b)}`)
      return test(x, y)
    }
  const same = (a: unknown, b: unknown) =>
    typeof a === 'object' && a !== null ? marshal(a) === marshal(b) : a === b
  return {
    // text/template built-ins
    not: (v) => !truthy(v),
    len: (v) => {
      if (typeof v === 'string' || Array.isArray(v)) return v.length
      if (v !== null && typeof v === 'object') return Object.keys(v).length
      throw new Error(`len of ${formatValue(v)}`)
    },
    index: (v, ...keys) => {
      let value = v
      for (const key of keys) {
        if (Array.isArray(value) && typeof key === 'number') {
          if (key < 0 || key >= value.length) throw new Error(`index out of range: ${key}`)
          value = value[key]
        } else if (value !== null && typeof value === 'object' && typeof key === 'string')
          value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined
        else throw new Error(`can't index ${formatValue(value)} with ${formatValue(key)}`)
      }
      return value
    },
    eq: (a, ...rest) => {
      if (rest.length === 0) throw new Error('missing argument for comparison')
      return rest.some((b) => same(a, b))
    },
    ne: (a, b) => !same(a, b),
    lt: compare('lt', (a, b) => a < b),
    le: compare('le', (a, b) => a <= b),
    gt: compare('gt', (a, b) => a > b),
    ge: compare('ge', (a, b) => a >= b),
    print: (...args) =>
      args
        .map(
          (a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + text(a),
        )
        .join(''),
    println: (...args) => `${args.map(text).join(' ')}\n`,
    printf: (format, ...args) => {
      if (typeof format !== 'string') throw new Error('printf needs a format string')
      let i = 0
      return format.replace(/%([sdvq%])/g, (_whole, verb: string) => {
        if (verb === '%') return '%'
        if (i >= args.length) return `%!${verb}(MISSING)`
        const arg = args[i++]
        if (verb === 'q') return JSON.stringify(text(arg))
        if (verb === 'd' && (typeof arg !== 'number' || !Number.isInteger(arg))) return `%!d(${text(arg)})`
        return text(arg)
      })
    },
    // krakend-flexibleconfig
    env: (name) => options.env(String(name)) ?? '',
    marshal,
    include: (name) => {
      if (!options.partials) throw new Error('include needs FC_PARTIALS (the partials directory)')
      const base = resolve(options.partials)
      const path = resolve(base, String(name))
      if (path !== base && !path.startsWith(base + sep))
        throw new Error(`include "${name}" leaves the partials directory`)
      try {
        const text = readFileSync(path, 'utf8')
        partials.set(text, join(options.partials, String(name)))
        return text
      } catch (error) {
        throw new Error(
          `partial "${name}" cannot be read from ${options.partials}: ${(error as NodeJS.ErrnoException).code}`,
        )
      }
    },
    // the sprig functions flexible configs use most
    toJson: marshal,
    default: (fallback, value) => (truthy(value) ? value : fallback),
    empty: (v) => !truthy(v),
    coalesce: (...args) => args.find(truthy) ?? null,
    ternary: (a, b, condition) => (truthy(condition) ? a : b),
    quote: (...args) => args.map((a) => JSON.stringify(text(a))).join(' '),
    squote: (...args) => args.map((a) => `'${text(a)}'`).join(' '),
    upper: (s) => text(s).toUpperCase(),
    lower: (s) => text(s).toLowerCase(),
    trim: (s) => text(s).trim(),
    trimPrefix: (prefix, s) =>
      text(s).startsWith(text(prefix)) ? text(s).slice(text(prefix).length) : text(s),
    trimSuffix: (suffix, s) =>
      text(suffix) && text(s).endsWith(text(suffix)) ? text(s).slice(0, -text(suffix).length) : text(s),
    replace: (from, to, s) => text(s).replaceAll(text(from), text(to)),
    contains: (sub, s) => text(s).includes(text(sub)),
    hasPrefix: (prefix, s) => text(s).startsWith(text(prefix)),
    hasSuffix: (suffix, s) => text(s).endsWith(text(suffix)),
    join: (sep, list) => {
      if (!Array.isArray(list)) throw new Error('join needs a list')
      return list.map(text).join(text(sep))
    },
    hasKey: (map, key) => map !== null && typeof map === 'object' && Object.hasOwn(map, String(key)),
    list: (...items) => items,
    dict: (...pairs) => {
      if (pairs.length % 2) throw new Error('dict needs key/value pairs')
      const out: Record<string, unknown> = {}
      for (let i = 0; i < pairs.length; i += 2) setOwnKey(out, text(pairs[i]), pairs[i + 1])
      return out
    },
  }
}

function parseFile(
  path: string,
  templates: ExecContext['templates'],
  name: string,
  sources: Map<string, string>,
): Node[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw configError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    )
  }
  sources.set(path, text)
  const parsed = parseTemplate(text, path)
  for (const [define, nodes] of parsed.defines) templates.set(define, { nodes, file: path })
  // As Go's text/template: a file that is only whitespace around its defines does not replace a
  // define of the file's own name.
  if (!(templates.has(name) && onlyWhitespace(parsed.root)))
    templates.set(name, { nodes: parsed.root, file: path })
  return templates.get(name)?.nodes ?? parsed.root
}

function onlyWhitespace(nodes: Node[]): boolean {
  return nodes.every((node) => node.kind === 'text' && node.text.trim() === '')
}

/** Renders a flexible-config template to text; every problem is a configError (exit 2) with file:line. */
export function renderFlexibleConfig(file: string, options: FlexibleConfigOptions): string {
  return render(file, options, undefined)
}

/**
 * Renders as renderFlexibleConfig, with the source map of the text (source-map.ts: which template,
 * partial or printed value wrote each span), for errors found in the rendered text. The map is
 * made only when asked for, by rendering again while recording: recording costs the start of a
 * large config ~20% of its render time, and only an error needs it.
 */
export function renderFlexibleConfigMapped(
  file: string,
  options: FlexibleConfigOptions,
): { text: string; map: () => RenderedSourceMap } {
  const text = render(file, options, undefined)
  let map: RenderedSourceMap | undefined
  return {
    text,
    map: () => {
      if (!map) {
        const spans: RenderedSpan[] = []
        const sources = new Map<string, string>()
        const partials = new Map<string, string>()
        render(file, { ...options, out: undefined }, { spans, sources, partials })
        map = { spans, sources, partials, settingsDir: options.settings }
      }
      return map
    },
  }
}

function render(
  file: string,
  options: FlexibleConfigOptions,
  recording: Omit<RenderedSourceMap, 'settingsDir'> | undefined,
): string {
  try {
    const data = loadSettings(options.settings)
    const templates: ExecContext['templates'] = new Map()
    const sources = (recording?.sources as Map<string, string> | undefined) ?? new Map<string, string>()
    if (options.templates)
      for (const name of listDir(options.templates, '.tmpl', 'FC_TEMPLATES'))
        parseFile(join(options.templates, name), templates, name, sources)
    const root = parseFile(file, templates, basename(file), sources)
    const partials = (recording?.partials as Map<string, string> | undefined) ?? new Map<string, string>()
    const context: ExecContext = {
      templates,
      funcs: functions(options, partials),
      record: recording && ((span) => recording.spans.push(span)),
      root: data,
    }
    const rendered = execute(root, data, context, file)
    if (options.out) writeFileSync(options.out, rendered)
    return rendered
  } catch (error) {
    if (error instanceof TemplateError)
      throw configError(`flexible configuration: ${error.message}`, {
        location: {
          file: error.file,
          ...(error.line ? { line: error.line } : {}),
          ...(error.column ? { column: error.column } : {}),
        },
        hint: 'Fix the template; gwdeploy supports the Go template subset listed in the README (Flexible configuration).',
      })
    throw error
  }
}
