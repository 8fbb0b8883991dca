/**
 * `validation/json-schema` (endpoint level) with ajv, as krakend-jsonschema: the request body must
 * be a JSON document valid against the schema, else 400 with `X-KrakenD-Completed: false` and, with
 * `router.return_error_msg`, the reasons as text. An empty body is 400 ("could not validate an empty
 * body"); so is a body that is not JSON. Draft 2020-12 and 2019-09 schemas use ajv's matching
 * dialect; others (draft-04/06/07) are read as draft-07.
 */
import type { ValidateFunction } from 'ajv'
import type { KeyPath } from '../../core/source-text.ts'
import { ajvLibrary } from '../libraries.ts'
import type { GuardContext, IncomingLike, Reply, Report } from './types.ts'

export interface JsonSchemaConfig {
  schema: Record<string, unknown> | boolean
}

export function compileSchema(schema: Record<string, unknown> | boolean): ValidateFunction {
  const dialect = typeof schema === 'object' && typeof schema.$schema === 'string' ? schema.$schema : ''
  const options = { strict: false, allErrors: true, validateSchema: false } as const
  const { Ajv, Ajv2019, Ajv2020, addFormats } = ajvLibrary()
  const ajv = dialect.includes('2020-12')
    ? new Ajv2020(options)
    : dialect.includes('2019-09')
      ? new Ajv2019(options)
      : new Ajv(options)
  addFormats(ajv)
  let input = schema
  if (typeof schema === 'object' && /draft-0[46]/.test(dialect)) {
    const { $schema: _dropped, ...rest } = schema
    input = rest
  }
  return ajv.compile(input)
}

export function parseJsonSchema(raw: unknown, path: KeyPath, report: Report): JsonSchemaConfig | undefined {
  if (typeof raw !== 'boolean' && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    report.error(path, 'validation/json-schema must be a JSON schema (an object)')
    return undefined
  }
  try {
    compileSchema(raw as JsonSchemaConfig['schema'])
  } catch (error) {
    report.error(
      path,
      `the JSON schema does not compile: ${(error as Error).message}`,
      'KrakenD would log this and skip the validation; fix the schema',
    )
    return undefined
  }
  return { schema: raw as JsonSchemaConfig['schema'] }
}

export function compileJsonSchema(
  cfg: JsonSchemaConfig,
  returnErrorMsg: boolean,
  log: (message: string) => void,
): (req: IncomingLike, ctx: GuardContext) => Reply | undefined {
  const validate = compileSchema(cfg.schema)
  const reject = (message: string): Reply => {
    log(message)
    return returnErrorMsg
      ? {
          status: 400,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'x-krakend-completed': 'false' },
          body: message,
        }
      : { status: 400, headers: { 'x-krakend-completed': 'false' }, body: '' }
  }
  return (_req, ctx) => {
    if (!ctx.body || ctx.body.length === 0) return reject('could not validate an empty body')
    let value: unknown
    try {
      value = JSON.parse(ctx.body.toString('utf8'))
    } catch (error) {
      return reject((error as Error).message)
    }
    if (validate(value)) return undefined
    return reject(
      (validate.errors ?? [])
        .map(
          (e) =>
            `- ${e.instancePath === '' ? '(root)' : e.instancePath.slice(1).replaceAll('/', '.')}: ${e.message ?? 'invalid'}`,
        )
        .join('\n'),
    )
  }
}
