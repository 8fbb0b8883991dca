import { MAX_GATEWAY_CONFIG_BYTES, parseSourceDocument, readConfigText } from '../../core/document.ts'
import { configError, type Problem } from '../../core/errors.ts'
import type { GatewayConfig } from './types.ts'
import { type ValidationResult, validateGatewayConfig } from './validate.ts'

/** Parses and validates text (JSON or YAML) keeping positions for every problem. Throws only on syntax errors. */
export function checkGatewayConfigText(text: string, file: string): ValidationResult {
  const doc = parseSourceDocument(text, file)
  return validateGatewayConfig(doc.value, { file, locate: doc.locate })
}

/** Reads a file and validates it without throwing on semantic problems (used by `gateway check`). */
export function checkGatewayConfigFile(file: string): ValidationResult {
  const text = readConfigText(
    file,
    file,
    MAX_GATEWAY_CONFIG_BYTES,
    'pass an existing KrakenD v3 file with -c/--config',
  )
  return checkGatewayConfigText(text, file)
}

/**
 * Loads a gateway config for running it: throws one configError (exit 2) listing every problem.
 * With `lint`, warnings (typos, v2 leftovers) are errors too.
 */
export function loadGatewayConfig(
  file: string,
  options: { lint?: boolean } = {},
): { config: GatewayConfig; warnings: Problem[] } {
  const result = checkGatewayConfigFile(file)
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
