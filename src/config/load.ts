import { existsSync, lstatSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { z } from 'zod'
import {
  formatKeyPath,
  type KeyPath,
  MAX_PROJECT_CONFIG_BYTES,
  parseSourceDocument,
  readConfigText,
  type SourceDocument,
} from '../core/document.ts'
import { configError, formatProblem, type Location, type Problem } from '../core/errors.ts'
import type { ProjectLocator } from '../core/project-location.ts'
import { coerceEnvScalars } from './env-scalars.ts'
import { type Interpolation, interpolate } from './interpolate.ts'
import { knownKeysAt } from './json-schema.ts'
import { deepMerge, hasPath } from './merge.ts'
import { type GwConfig, gwConfigSchema } from './schema.ts'
import { closestKey } from './suggest.ts'
import { locatesTarget } from './target-keys.ts'

const DEFAULT_CONFIG_FILES = ['gwdeploy.yml', 'gwdeploy.yaml']

export interface LoadOptions {
  cwd?: string
  /** Path of gwdeploy.yml; by default gwdeploy.yml (or .yaml) in cwd. */
  file?: string
  /** Overlay name: loads gwdeploy.<env>.yml next to the base file and deep-merges it. */
  env?: string
  environ?: NodeJS.ProcessEnv
  /**
   * Teardown (destroy, retire) must work without the release's secrets: an unset `${VAR}` is not
   * an error then, and the key it was used in falls back to its default — except in the keys that
   * say which target it is (target-keys.ts), where a default would tear down another target.
   */
  allowMissingEnv?: boolean
  /**
   * Read-only commands (status, history, logs, lock status) never run hooks or send
   * notifications: an unset `${VAR}` under `hooks` or `notify` is not an error then, and `notify`
   * is left out. Every other key still needs its variables (they say where the target is).
   */
  readOnly?: boolean
  /**
   * rollback: a way back must not wait on a webhook's secret (at 3 a.m., outside CI): an unset
   * `${VAR}` under `notify` leaves notify out, named in `notifyLeftOut`, instead of failing.
   */
  notifyOptional?: boolean
}

export interface LoadedConfig {
  config: GwConfig
  /** The files read, base first. */
  files: string[]
  /** Directory of the base file: relative paths in the config resolve against it. */
  dir: string
  env: string | undefined
  /** Where values came from the environment (for redaction). */
  fromEnv: Array<{ path: KeyPath; variables: string[] }>
  /** file:line:column where gwdeploy.yml (or its overlay) writes `path`; undefined when neither sets its first key. */
  locate: ProjectLocator
  /** With `notifyOptional`: the unset variables that left notify out, located. */
  notifyLeftOut?: string[]
}

function findConfigFile(cwd: string, file?: string): string {
  if (file) {
    const path = resolve(cwd, file)
    if (!present(path)) {
      throw configError(`config file ${file} does not exist`, {
        hint: 'Check the --config path, or run `gwdeploy init`.',
      })
    }
    return path
  }
  for (const name of DEFAULT_CONFIG_FILES) {
    const path = join(cwd, name)
    if (present(path)) return path
  }
  throw configError(`no gwdeploy.yml in ${cwd}`, {
    hint: 'Run `gwdeploy init` to write a starter config, or pass --config PATH.',
  })
}

/** A directory entry exists (a dangling or looping symlink too: reading it then says why it fails). */
function present(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}

function overlayPath(baseFile: string, env: string): string {
  const name = basename(baseFile).replace(/\.ya?ml$/, '')
  const ext = baseFile.endsWith('.yaml') ? 'yaml' : 'yml'
  return join(dirname(baseFile), `${name}.${env}.${ext}`)
}

/** How a file is named in messages: relative to cwd when it is below it. */
function displayName(cwd: string, path: string): string {
  const rel = relative(cwd, path)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

function readDocument(path: string, cwd: string): SourceDocument {
  const text = readConfigText(path, displayName(cwd, path), MAX_PROJECT_CONFIG_BYTES)
  const doc = parseSourceDocument(text, displayName(cwd, path))
  if (
    doc.value !== null &&
    doc.value !== undefined &&
    (typeof doc.value !== 'object' || Array.isArray(doc.value))
  ) {
    throw configError(`${doc.file} must be a mapping of keys to values`, {
      location: doc.locate([]),
      hint: 'Start with `service: my-gateway` at the top level.',
    })
  }
  return doc
}

/** Where a key path is written: the last file (overlay first) that sets it, else the nearest ancestor. */
function locator(documents: SourceDocument[]): (path: KeyPath) => Location {
  return (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const prefix = path.slice(0, depth)
      for (let i = documents.length - 1; i >= 0; i--) {
        const doc = documents[i] as SourceDocument
        if (hasPath(doc.value, prefix)) {
          const location = doc.locate(prefix)
          const keyPath = formatKeyPath(path)
          return keyPath ? { ...location, path: keyPath } : location
        }
      }
    }
    return { file: documents[0]?.file ?? 'gwdeploy.yml', path: formatKeyPath(path) }
  }
}

function valueAt(value: unknown, path: KeyPath): unknown {
  let node = value
  for (const part of path) node = (node as Record<string | number, unknown> | undefined)?.[part]
  return node
}

/** What a schema type is called in a YAML file. */
const EXPECTED: Record<string, string> = {
  object: 'a mapping (its keys indented below it)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
}

function describeGiven(value: unknown): string {
  if (value === null) return 'empty (null)'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  return `the ${typeof value} ${String(value)}`
}

function issueToProblems(
  issue: z.core.$ZodIssue,
  input: unknown,
  locate: (path: KeyPath) => Location,
  substituted: Interpolation['substituted'] = [],
): Problem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path)
    return issue.keys.map((key) => {
      const suggestion = closestKey(key, known)
      return {
        message: `unknown key "${key}"${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
        location: locate([...path, key]),
        hint: suggestion ? `Rename it to "${suggestion}".` : `Allowed here: ${known.join(', ')}.`,
      }
    })
  }
  let hint = (issue as { params?: { hint?: string } }).params?.hint
  let message = issue.message
  if (issue.code === 'invalid_value' && 'values' in issue) {
    message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    const given = valueAt(input, path)
    const suggestion = typeof given === 'string' ? closestKey(given, issue.values.map(String)) : undefined
    if (suggestion) message += ` — did you mean "${suggestion}"?`
  } else if (issue.code === 'too_small' && issue.origin === 'number') {
    message = `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`
  } else if (issue.code === 'too_big' && issue.origin === 'number') {
    message = `must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`
  } else if (issue.code === 'invalid_type' && message.includes('received undefined')) {
    message = `required (${issue.expected})`
  } else if (issue.code === 'invalid_type') {
    message = `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describeGiven(valueAt(input, path))}`
    const names = substituted.find((entry) => formatKeyPath(entry.path) === formatKeyPath(path))?.variables
    if (names) message += ` (from ${names.map((name) => `\${${name}}`).join(', ')})`
    const given = valueAt(input, path)
    // YAML reads 123, 1.0, true or 2024-01-01 as other types: a string there needs quotes.
    if (issue.expected === 'string' && given !== null && ['number', 'boolean'].includes(typeof given))
      hint ??= `Quote the value to make it a string (YAML reads an unquoted ${String(given)} as a ${typeof given}).`
  }
  return [{ message, location: locate(path), ...(hint ? { hint } : {}) }]
}

/**
 * Hook commands keep their `${VAR}` templates: they are expanded only when the hook runs, so
 * what gwdeploy prints and records is the template, never a secret it expands to. (A missing
 * variable is still reported at load time.)
 */
function keepHookTemplates(interpolation: ReturnType<typeof interpolate>, raw: unknown): void {
  const hooks = (raw as { hooks?: unknown } | null)?.hooks
  const value = interpolation.value as Record<string, unknown> | null
  if (hooks === undefined || value === null || typeof value !== 'object') return
  value.hooks = hooks
  interpolation.fromEnv = interpolation.fromEnv.filter((entry) => entry.path[0] !== 'hooks')
}

/** Loads gwdeploy.yml (+ overlay), interpolates ${VAR}, validates; every problem in one error. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd()
  const environ = options.environ ?? process.env
  const baseFile = findConfigFile(cwd, options.file)
  const documents = [readDocument(baseFile, cwd)]
  if (options.env) {
    if (!/^[\w-]+$/.test(options.env)) {
      throw configError(`environment name "${options.env}" is not valid`, {
        hint: 'Use letters, digits, - and _.',
      })
    }
    const overlay = overlayPath(baseFile, options.env)
    if (!existsSync(overlay)) {
      throw configError(`environment "${options.env}" has no overlay file ${overlay}`, {
        hint: `Create ${basename(overlay)} next to ${basename(baseFile)}, or drop --env.`,
      })
    }
    documents.push(readDocument(overlay, cwd))
  }
  const merged = documents.reduce<unknown>((acc, doc) => deepMerge(acc, doc.value ?? {}), {})
  const locate = locator(documents)
  const interpolation = interpolate(merged, environ)
  // Every command but release and promote goes on without notify's variables: a webhook without its
  // URL is no webhook (url is required), so notify is left out and nothing is sent.
  const notifyUnset = interpolation.missing.filter(({ path }) => path[0] === 'notify')
  if (notifyUnset.length > 0 && (options.allowMissingEnv || options.readOnly || options.notifyOptional)) {
    unset(interpolation.value, ['notify'])
    interpolation.missing = interpolation.missing.filter(({ path }) => path[0] !== 'notify')
  }
  if (options.allowMissingEnv) {
    for (const { path } of interpolation.missing) if (!locatesTarget(path)) unset(interpolation.value, path)
    interpolation.missing = interpolation.missing.filter(({ path }) => locatesTarget(path))
  }
  if (options.readOnly)
    interpolation.missing = interpolation.missing.filter(({ path }) => path[0] !== 'hooks')
  const problems: Problem[] = interpolation.missing.map(({ variable, path }) => ({
    message: `environment variable ${variable} is not set`,
    location: locate(path),
    hint: options.allowMissingEnv
      ? `Export ${variable}: it says which target to act on, so it never falls back to a default here.`
      : `Export ${variable}, or write \${${variable}:-default} to give it a default.`,
  }))
  keepHookTemplates(interpolation, merged)
  // Parsed once per process: compiling zod's fast-path parsers (new Function per object) costs more
  // than it saves, about half of `gwdeploy config validate`'s parse time.
  let parsed = gwConfigSchema.safeParse(interpolation.value, { jitless: true })
  if (
    !parsed.success &&
    coerceEnvScalars(interpolation.value, parsed.error.issues, interpolation.substituted)
  )
    parsed = gwConfigSchema.safeParse(interpolation.value, { jitless: true })
  if (!parsed.success) {
    // A value whose ${VAR} is missing is already reported; its schema errors would only repeat it.
    const unresolved = new Set(interpolation.missing.map(({ path }) => formatKeyPath(path)))
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
      if (!unresolved.has(formatKeyPath(path)))
        problems.push(...issueToProblems(issue, interpolation.value, locate, interpolation.substituted))
    }
  }
  if (problems.length > 0 || !parsed.success) {
    problems.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0))
    const files = documents.map((d) => d.file).join(' + ')
    throw configError(`${files}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, {
      problems,
      hint: 'Fix the keys above; `gwdeploy config schema` prints every key with its type.',
    })
  }
  return {
    config: parsed.data,
    files: options.env ? [baseFile, overlayPath(baseFile, options.env)] : [baseFile],
    dir: dirname(baseFile),
    env: options.env,
    fromEnv: interpolation.fromEnv,
    locate: (path) =>
      documents.some((doc) => hasPath(doc.value, path.slice(0, 1))) ? locate(path) : undefined,
    ...(options.notifyOptional &&
      notifyUnset.length > 0 && {
        notifyLeftOut: notifyUnset.map(({ variable, path }) =>
          formatProblem({ message: `environment variable ${variable} is not set`, location: locate(path) }),
        ),
      }),
  }
}

function unset(value: unknown, path: KeyPath): void {
  const parent = valueAt(value, path.slice(0, -1)) as Record<string | number, unknown> | undefined
  const last = path.at(-1)
  if (parent && typeof parent === 'object' && last !== undefined) delete parent[last]
}

/** What a gwdeploy.yml that does not load still says: its files, and the sections valid on their own. */
export interface PartialConfig {
  config: GwConfig
  files: string[]
  dir: string
  env: string | undefined
  /** Keys left at their defaults (`health`, `provider.env`): invalid, or using a variable that is not set. */
  invalid: Set<string>
}

/**
 * A gwdeploy.yml with problems, read as far as it goes, so `config validate` (and a refused
 * release) can check the gateway config in the same run: what is invalid on its own is left at its
 * default and named in `invalid`. undefined when the files cannot be read at all.
 */
export function loadConfigDespiteProblems(options: LoadOptions = {}): PartialConfig | undefined {
  try {
    const cwd = options.cwd ?? process.cwd()
    const baseFile = findConfigFile(cwd, options.file)
    const files = options.env ? [baseFile, overlayPath(baseFile, options.env)] : [baseFile]
    const documents = files.map((file) => readDocument(file, cwd))
    const merged = documents.reduce<unknown>((acc, doc) => deepMerge(acc, doc.value ?? {}), {})
    const interpolation = interpolate(merged, options.environ ?? process.env)
    const value = (interpolation.value ?? {}) as Record<string, unknown>
    const unresolved = new Set(interpolation.missing.map(({ path }) => path.slice(0, 2).join('.')))
    const kept: Record<string, unknown> = {}
    const invalid = new Set<string>()
    for (const [key, schema] of Object.entries(gwConfigSchema.shape)) {
      if (!(key in value)) continue
      const section = salvage(key, schema as z.ZodType, value[key], unresolved, invalid)
      if (section !== undefined) kept[key] = section
    }
    // The name template's {service}: a stand-in when service is what is wrong.
    kept.service ??= 'service'
    const parsed = z.object(gwConfigSchema.shape).safeParse(kept)
    if (!parsed.success) return undefined
    return { config: parsed.data as GwConfig, files, dir: dirname(baseFile), env: options.env, invalid }
  } catch {
    return undefined
  }
}

/**
 * A top-level section as far as it is valid: whole, else its sub-keys that are valid on their own
 * (the rest named in `invalid` as `section.key`), else nothing.
 */
function salvage(
  key: string,
  schema: z.ZodType,
  value: unknown,
  unresolved: Set<string>,
  invalid: Set<string>,
): unknown {
  const usesUnset = [...unresolved].some((path) => path === key || path.startsWith(`${key}.`))
  if (!usesUnset && schema.safeParse(value).success) return value
  const shape = shapeOf(schema)
  if (!shape || value === null || typeof value !== 'object' || Array.isArray(value)) {
    invalid.add(key)
    return undefined
  }
  const section: Record<string, unknown> = {}
  for (const [sub, subValue] of Object.entries(value)) {
    const subSchema = shape[sub]
    if (subSchema && !unresolved.has(`${key}.${sub}`) && subSchema.safeParse(subValue).success)
      section[sub] = subValue
    else invalid.add(`${key}.${sub}`)
  }
  if (schema.safeParse(section).success) return section
  invalid.add(key)
  return undefined
}

/** The keys of an object schema, under its `.prefault({})` / `.default()` / `.optional()`. */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let inner: unknown = schema
  for (let depth = 0; depth < 4 && inner; depth++) {
    const shape = (inner as { shape?: Record<string, z.ZodType> }).shape
    if (shape) return shape
    inner = (inner as { _zod?: { def?: { innerType?: unknown } } })._zod?.def?.innerType
  }
  return undefined
}

/** Absolute path of a path written in gwdeploy.yml. */
export function resolveConfigPath(loaded: Pick<LoadedConfig, 'dir'>, path: string): string {
  return resolve(loaded.dir, path)
}
