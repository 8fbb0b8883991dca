import { configError, type Problem } from '../../core/errors.ts'
import {
  GATEWAY_YAML,
  MAX_GATEWAY_CONFIG_BYTES,
  parseSourceDocumentWith,
  readConfigText,
  type SourceDocument,
} from '../../core/source-text.ts'
import { yamlLibrary } from '../libraries.ts'
import { checkJsonText } from './duplicate-keys.ts'
import { applyKrakendEnvOrThrow } from './env-overrides.ts'
import { type RenderedOrigin, renderedOrigin } from './flexible/origin.ts'
import { flexibleConfigFromEnv, renderFlexibleConfigMapped } from './flexible/render.ts'
import { inlineGraphqlQueryFiles } from './graphql-query-files.ts'
import type { GatewayConfig } from './types.ts'
import { type ValidationResult, validateGatewayConfig } from './validate.ts'

type Environ = Record<string, string | undefined>

/** The yaml library is loaded only for a YAML config. */
const parseSourceDocument = (text: string, file: string): SourceDocument =>
  parseSourceDocumentWith(text, file, yamlLibrary, undefined, GATEWAY_YAML)

/** `validate()` with checkJsonText's problems added: too deep a text is not validated further. */
function validatedText(
  validate: () => ValidationResult,
  text: string,
  file: string,
  origin?: RenderedOrigin,
): ValidationResult {
  const { errors, warnings, tooDeep } = checkJsonText(text, file, origin)
  if (tooDeep) return { config: undefined, errors, warnings }
  const result = validate()
  if (errors.length === 0 && warnings.length === 0) return result
  return {
    config: errors.length > 0 ? undefined : result.config,
    errors: [...errors, ...result.errors],
    warnings: [...warnings, ...result.warnings],
  }
}

/** Parses and validates text (JSON or YAML) keeping positions for every problem. Throws only on syntax errors. */
export function checkGatewayConfigText(text: string, file: string): ValidationResult {
  const doc = parseSourceDocument(text, file)
  return validatedText(() => validateGatewayConfig(doc.value, { file, locate: doc.locate }), text, file)
}

/**
 * Reads a file the way KrakenD CE does and validates it without throwing on semantic problems
 * (used by `gateway check` and at startup): with FC_ENABLE the file is a flexible-config template
 * rendered first, then KRAKEND_* variables override top-level keys. Without `environ` neither
 * applies (the file alone).
 */
export function checkGatewayConfigFile(file: string, options: { environ?: Environ } = {}): ValidationResult {
  const environ = options.environ
  const flexible = environ ? flexibleConfigFromEnv(environ) : undefined
  let text: string
  let origin: RenderedOrigin | undefined
  if (flexible) {
    const rendered = renderFlexibleConfigMapped(file, { ...flexible, env: (name) => environ?.[name] })
    text = rendered.text
    // Problems in the rendered text are named at the template, partial or action that wrote it.
    origin = renderedOrigin(rendered.map, process.cwd())
  } else
    text = readConfigText(
      file,
      file,
      MAX_GATEWAY_CONFIG_BYTES,
      'pass an existing KrakenD v3 file with -c/--config',
    )
  const shown = flexible ? `${file} (rendered)` : file
  const doc = parseSourceDocumentWith(text, shown, yamlLibrary, origin, GATEWAY_YAML)
  const value = environ ? applyKrakendEnvOrThrow(doc.value, environ, shown).value : doc.value
  // Relative to the working directory, as KrakenD reads it (in its image, the config's directory).
  const unreadable = inlineGraphqlQueryFiles(value, process.cwd())
  const checked = validatedText(
    () => validateGatewayConfig(value, { file: shown, locate: doc.locate }),
    text,
    shown,
    origin,
  )
  const result = origin
    ? { ...checked, errors: origin.explain(checked.errors), warnings: origin.explain(checked.warnings) }
    : checked
  if (unreadable.length === 0) return result
  const errors = unreadable.map(({ path, message, hint }) => ({ message, location: doc.locate(path), hint }))
  return {
    config: undefined,
    errors: [...(origin ? origin.explain(errors) : errors), ...result.errors],
    warnings: result.warnings,
  }
}

/**
 * Loads a gateway config for running it: throws one configError (exit 2) listing every problem.
 * With `lint`, warnings (typos, v2 leftovers) are errors too. `environ` (flexible config and
 * KRAKEND_* overrides) defaults to none.
 */
export function loadGatewayConfig(
  file: string,
  options: { lint?: boolean; environ?: Environ } = {},
): { config: GatewayConfig; warnings: Problem[] } {
  const result = checkGatewayConfigFile(file, options.environ ? { environ: options.environ } : {})
  const problems = options.lint ? [...result.errors, ...result.warnings] : result.errors
  if (problems.length > 0 || !result.config) {
    throw configError(
      `${file}: invalid gateway configuration (${problems.length} problem${problems.length === 1 ? '' : 's'})`,
      {
        problems,
        hint: 'fix the problems above; `gwdeploy gateway check -c FILE` shows them with warnings',
      },
    )
  }
  return { config: result.config, warnings: result.warnings }
}
