// backend/lambda's settings as krakend-lambda reads them (backend.go getOptions): map lookups with
// Go type assertions, each key exactly as written. Where KrakenD would quietly take another value
// (a function_name that is not a string sends the request's parameter instead), the config is
// refused; where it only drops a tuning (max_retries), it is warned about and dropped here too.
import { type KeyPath, parseKeyPath } from '../../core/source-text.ts'
import type { Fields } from '../components/fields.ts'
import type { Report } from '../components/types.ts'
import { refuseHttpClientOnly } from '../config/http-client-only.ts'
import type { GatewayConfig } from '../config/types.ts'

export interface LambdaConfig {
  /** function_name: every call invokes this function. */
  functionName?: string
  /** function_param_name (default "function"): the lura request param naming the function. */
  functionParam: string
  /** region; without it krakend-lambda builds a default session (region and endpoint from the environment). */
  region?: string
  /** endpoint, read only beside a region. */
  endpoint?: string
  /** max_retries, read only as a Go int (a YAML integer) beside a region; else the SDK's 3. */
  maxRetries?: number
}

/** aws-sdk-go v1's client.DefaultRetryerMaxNumRetries. */
export const GO_SDK_DEFAULT_RETRIES = 3

export function parseLambda(f: Fields): LambdaConfig {
  const text = (key: string, otherwise: string): string | undefined => {
    const value = f.raw[key]
    if (value === undefined || typeof value === 'string') return value
    f.report.error(
      f.at(key),
      `"${key}" must be a string, got ${JSON.stringify(value)}: krakend-lambda reads only a string here and would ${otherwise}`,
      `write it as a string, or remove it`,
    )
    return undefined
  }
  const functionName = text('function_name', 'invoke the function named by the request parameter instead')
  const functionParam =
    text('function_param_name', 'take the function name from the parameter "Function" instead') ?? 'function'
  const region = text('region', 'ignore region, endpoint and max_retries (the environment would pick them)')
  const endpoint = text('endpoint', "call the region's AWS endpoint instead")
  if (functionName === undefined && f.raw.function_name === undefined && /^[a-z]/.test(functionParam))
    f.report.warn(
      f.raw.function_param_name === undefined ? f.path : f.at('function_param_name'),
      `lura hands the backend its params with the first letter upper-cased ("${functionParam}" is "${capitalised(functionParam)}"): krakend-lambda looks "${functionParam}" up as written, finds nothing and invokes a function with an empty name, which the AWS SDK refuses (every call fails, here as in KrakenD)`,
      `set "function_param_name": "${capitalised(functionParam)}" for the endpoint's {${functionParam}} parameter, or "function_name"`,
    )
  if (region === undefined && endpoint !== undefined)
    f.report.warn(
      f.at('endpoint'),
      'krakend-lambda reads "endpoint" only beside "region": without one it is ignored and the calls go to AWS (region from the environment), here as in KrakenD',
      'add "region"',
    )
  const config: LambdaConfig = { functionParam }
  if (functionName !== undefined) config.functionName = functionName
  if (region === undefined) {
    f.declare('max_retries')
    return config
  }
  config.region = region
  if (endpoint !== undefined) config.endpoint = endpoint
  const retries = f.raw.max_retries
  if (retries !== undefined) {
    if (f.yamlInt('max_retries')) config.maxRetries = retriesAsGo(retries as number)
    else
      f.report.warn(
        f.at('max_retries'),
        `krakend-lambda reads "max_retries" only as a Go int, which a JSON config never holds (its numbers are float64) and YAML holds for an integer only: ${JSON.stringify(retries)} is ignored, the AWS SDK's ${GO_SDK_DEFAULT_RETRIES} retries apply, here as in KrakenD`,
        'write it as an integer in a YAML config, or remove it',
      )
  } else f.declare('max_retries')
  return config
}

/** aws.Config.WithMaxRetries: -1 is the SDK's default, any other negative count never retries. */
function retriesAsGo(n: number): number {
  if (n === -1) return GO_SDK_DEFAULT_RETRIES
  return n < 0 ? 0 : n
}

const capitalised = (name: string) => (name[0] ?? '').toUpperCase() + name.slice(1)

/** Namespaces of lura's HTTP client beside backend/lambda, which KrakenD would skip. */
export function refuseBesideLambda(extra: Record<string, unknown>, path: KeyPath, report: Report): void {
  refuseHttpClientOnly(extra, path, report, 'backend/lambda', 'calls the function')
}

/**
 * A Lambda backend on a no-op endpoint is refused: KrakenD invokes the function and answers 200
 * with an empty body (lura's no-op render reads a body the Lambda response never has), the
 * function's answer never reaching the client. (Its numbers, Go float64s where an HTTP backend's
 * are json.Number texts, are GoFloat64 values: answer.ts.)
 */
export function checkLambdaEndpoints(config: GatewayConfig, report: Report): void {
  for (const ep of config.endpoints) {
    if (!ep.noop) continue
    for (const b of ep.backends)
      if (b.components?.lambda)
        report.error(
          [...parseKeyPath(b.path), 'extra_config', 'backend/lambda'],
          `"backend/lambda" on the no-op endpoint ${ep.endpoint}: KrakenD invokes the function and answers 200 with an empty body, dropping the function's answer`,
          'remove "output_encoding": "no-op" (and the backend\'s "encoding": "no-op") so the answer is rendered',
        )
  }
}
