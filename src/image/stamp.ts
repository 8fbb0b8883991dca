/**
 * Stamping: copy the gateway config, set its `name` from the template, validate it with the
 * gateway's own validator, and compute its digest (sha256 of the canonical JSON: sorted keys,
 * no whitespace). Pure apart from reading the file; nothing here touches infrastructure.
 */
import { createHash } from 'node:crypto'
import { dirname, isAbsolute, relative } from 'node:path'
import {
  GATEWAY_YAML,
  MAX_GATEWAY_CONFIG_BYTES,
  parseSourceDocument,
  readConfigText,
} from '../core/document.ts'
import { configError, type Location, type Problem, usageError } from '../core/errors.ts'
import { stringifyJson, stringifyJsonWithin } from '../core/iterative-json.ts'
import { checkJsonText } from '../gateway/config/duplicate-keys.ts'
import { type RenderedOrigin, renderedOrigin } from '../gateway/config/flexible/origin.ts'
import { renderFlexibleConfigMapped } from '../gateway/config/flexible/render.ts'
import { inlineGraphqlQueryFiles } from '../gateway/config/graphql-query-files.ts'
import { validateGatewayConfig } from '../gateway/config/validate.ts'
import { type ConfigFile, readConfigFiles } from './config-files.ts'
import { RUNTIME_ENV_CALL, runtimeEnvCall } from './runtime-env.ts'

const DEFAULT_NAME_TEMPLATE = '{service} rev-{sha7}'
const PLACEHOLDERS = ['sha', 'sha7', 'service', 'env'] as const
type Placeholder = (typeof PLACEHOLDERS)[number]

export interface StampInput {
  /** Path of the gateway config (JSON or YAML), used in messages and read when `text` is absent. */
  file: string
  text?: string
  service: string
  /** Full commit SHA (7..64 hex digits). */
  sha: string
  env?: string | undefined
  /** Name template; default "{service} rev-{sha7}". */
  template?: string | undefined
  /** Which runtime will run it: KrakenD's own image accepts the components ours refuses. */
  runtime?: 'bundled' | 'krakend' | undefined
  /** The config is a flexible-config template, rendered here (gateway.flexibleConfig + fleet.env). */
  flexible?: ReleaseFlexibleConfig | undefined
}

export interface ReleaseFlexibleConfig {
  settings?: string | undefined
  partials?: string | undefined
  templates?: string | undefined
  /** fleet.env: plain values are rendered in; a secret reference (any object) stays for the node. */
  env: Record<string, string | object>
}

/**
 * Renders a flexible-config template at release time. `env` sees fleet.env only (never the
 * runner's environment: the output is baked into the image): a plain value is rendered in, a
 * secret reference is left as {{env `X`}} for the node, anything else is an error.
 */
function renderAtRelease(
  file: string,
  shown: string,
  flexible: ReleaseFlexibleConfig,
): { text: string; origin: RenderedOrigin } {
  const { text, map } = renderFlexibleConfigMapped(file, {
    settings: flexible.settings,
    partials: flexible.partials,
    templates: flexible.templates,
    env: (name) => {
      const value = flexible.env[name]
      if (value === undefined)
        throw new Error(`${name} is not in fleet.env (at release only fleet.env is visible; add it there)`)
      return typeof value === 'string' ? value : runtimeEnvCall(name)
    },
  })
  // Problems in the rendered text are named at the template, partial or action that wrote it.
  const origin = renderedOrigin(map, process.cwd())
  // Blanked to the same length, so the offset of a leftover "{{" is its offset in the rendered text.
  const leftover = text.replace(RUNTIME_ENV_CALL, (call) => ' '.repeat(call.length)).indexOf('{{')
  if (leftover >= 0) {
    const { location, note } = origin.locate(leftover)
    throw configError(`${shown}: the rendered config still contains "{{"`, {
      location,
      hint: `Nodes render the secret {{env \`X\`}} calls of a stamped config at start; any other "{{" would be read as a template there. Remove it from the output${note ? ` (it was ${note})` : ''}.`,
    })
  }
  return { text, origin }
}

export interface StampedConfig {
  /** The stamped `name`. */
  name: string
  sha: string
  sha7: string
  /** The stamped config as a plain object (original key order). */
  config: Record<string, unknown>
  /** The bytes shipped in the image: the stamped config as indented JSON. */
  json: string
  /** Files the config makes the runtime read (Lua sources, client_tls certificates), shipped beside it. */
  files: ConfigFile[]
  /** sha256 of the canonical stamped config (and its files), as "sha256:<hex>". */
  digest: string
  warnings: string[]
  /** The same warnings, each with where it is (file:line and key path), as `gateway check` shows them. */
  warningProblems: Problem[]
  /** Where a key path of the config is written: for a flexible config, in the template, partial or action that wrote it. */
  locate: (path: ReadonlyArray<string | number>) => Location
}

/** Lower-cases and checks a commit SHA; a usage error (exit 2) when it is not one. */
export function normalizeSha(sha: string): string {
  const value = sha.trim().toLowerCase()
  if (!/^[0-9a-f]{7,64}$/.test(value)) {
    throw usageError(`--sha must be a commit SHA (7 to 64 hex digits), got "${sha}"`, {
      hint: 'Pass the commit being released, e.g. --sha "$(git rev-parse HEAD)".',
    })
  }
  return value
}

function renderNameTemplate(template: string, values: Record<Placeholder, string>): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, key: string) => {
    if ((PLACEHOLDERS as readonly string[]).includes(key)) return values[key as Placeholder]
    throw configError(`unknown placeholder ${whole} in the gateway name template "${template}"`, {
      location: { path: 'gateway.name' },
      hint: `Use ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}.`,
    })
  })
}

/** JSON with object keys sorted at every level and no whitespace: the input of the config digest. */
export function canonicalJson(value: unknown): string {
  return stringifyJson(value, { sortKeys: true })
}

/**
 * The shipped text: indented by two spaces, unless indenting (which grows with the square of the
 * nesting depth) would pass the size the gateway reads; then without whitespace.
 */
function stampedJsonText(config: unknown): string {
  const indented = stringifyJsonWithin(config, { indent: 2 }, MAX_GATEWAY_CONFIG_BYTES - 1)
  if (indented !== undefined && Buffer.byteLength(indented) < MAX_GATEWAY_CONFIG_BYTES) return `${indented}\n`
  return `${stringifyJson(config)}\n`
}

/** The config's digest; its files, when it has any, count too (a changed Lua source is a new config). */
export function configDigest(config: unknown, files: ConfigFile[] = []): string {
  const hash = createHash('sha256').update(canonicalJson(config))
  for (const file of files)
    hash.update(`\n${file.path}\n${createHash('sha256').update(file.content).digest('hex')}`)
  return `sha256:${hash.digest('hex')}`
}

export async function stampGatewayConfig(input: StampInput): Promise<StampedConfig> {
  const sha = normalizeSha(input.sha)
  const sha7 = sha.slice(0, 7)
  let text = input.text
  // Messages name the file as the user wrote it: relative to the working directory when below it.
  const rel = relative(process.cwd(), input.file)
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : input.file
  if (text === undefined) {
    text = readConfigText(
      input.file,
      shown,
      MAX_GATEWAY_CONFIG_BYTES,
      'Point gateway.config in gwdeploy.yml at your KrakenD v3 file.',
    )
  }
  let origin: RenderedOrigin | undefined
  if (input.flexible) ({ text, origin } = renderAtRelease(input.file, shown, input.flexible))
  const parsedAs = input.flexible ? `${shown} (rendered)` : shown
  const doc = parseSourceDocument(text, parsedAs, origin, GATEWAY_YAML)
  const explain = (problems: Problem[]) => (origin ? origin.explain(problems) : problems)
  // A repeated key, or nesting deeper than KrakenD reads: the JSON shipped below would hide them.
  const textCheck = checkJsonText(text, parsedAs, origin)
  if (textCheck.errors.length > 0) {
    const count = textCheck.errors.length
    throw configError(`${shown}: the gateway config is invalid (${count} problem${count === 1 ? '' : 's'})`, {
      problems: explain(textCheck.errors),
      hint: 'Fix the gateway config; `gwdeploy gateway check -c FILE` shows the same problems. Nothing was built.',
    })
  }
  if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) {
    throw configError(`${shown}: the gateway config must be an object`, {
      location: { file: shown },
    })
  }
  const name = renderNameTemplate(input.template ?? DEFAULT_NAME_TEMPLATE, {
    sha,
    sha7,
    service: input.service,
    env: input.env ?? '',
  }).trim()
  if (name === '')
    throw configError('the gateway name template renders an empty name', {
      location: { path: 'gateway.name' },
    })
  const config = { ...(doc.value as Record<string, unknown>), name }
  const unreadable = inlineGraphqlQueryFiles(config, dirname(input.file))
  if (unreadable.length > 0)
    throw configError(`${shown}: a file the gateway config names cannot be read`, {
      problems: explain(
        unreadable.map(({ path, message, hint }) => ({ message, location: doc.locate(path), hint })),
      ),
      hint: 'Nothing was built.',
    })
  const result = validateGatewayConfig(config, {
    file: shown,
    locate: doc.locate,
    ...(input.runtime ? { runtime: input.runtime } : {}),
  })
  if (result.errors.length > 0 || !result.config) {
    const count = result.errors.length
    throw configError(
      `${shown}: the stamped gateway config is invalid (${count} problem${count === 1 ? '' : 's'})`,
      {
        problems: explain(result.errors),
        hint: 'Fix the gateway config; `gwdeploy gateway check -c FILE` shows the same problems. Nothing was built.',
      },
    )
  }
  const shipped = readConfigFiles(config, dirname(input.file))
  if (shipped.problems.length > 0)
    throw configError(`${shown}: a file the gateway config names cannot ship with the release`, {
      problems: explain(
        shipped.problems.map(({ path, message, hint }) => ({
          message,
          location: doc.locate(path),
          hint,
        })),
      ),
      hint: 'Nothing was built.',
    })
  return {
    name,
    sha,
    sha7,
    config,
    json: stampedJsonText(config),
    files: shipped.files,
    digest: configDigest(config, shipped.files),
    warnings: [...textCheck.warnings, ...result.warnings].map((w) => w.message),
    warningProblems: [...textCheck.warnings, ...result.warnings],
    locate: doc.locate,
  }
}
