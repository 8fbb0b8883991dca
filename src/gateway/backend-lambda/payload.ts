// What krakend-lambda sends as the Invoke payload and which function it names (backend.go).
import type { Context } from '../compiled-endpoint.ts'
import { requestParams } from '../components/lura-params.ts'
import { goJson } from '../go-json.ts'
import type { LambdaConfig } from './config.ts'

/**
 * A backend whose method lura sees as exactly "GET" sends the request params (fromParams; a {JWT.x}
 * whose claim is missing is no param, where an HTTP backend's URL keeps lura's placeholder): their
 * names lower-cased, as json.Encoder writes a map[string]string (keys sorted, HTML escaped, a
 * trailing newline). Any other method sends the client's body as it came (fromBody).
 */
export function lambdaPayload(luraMethod: string, ctx: Context): Buffer {
  if (luraMethod !== 'GET') return ctx.body ?? Buffer.alloc(0)
  const params: Record<string, string> = {}
  for (const [name, value] of Object.entries(requestParams(ctx)))
    Object.defineProperty(params, name.toLowerCase(), {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  return Buffer.from(`${goJson(params)}\n`)
}

/** function_name, else the lura param function_param_name names ("" when the request has none). */
export function lambdaFunctionName(config: LambdaConfig, ctx: Context): string {
  if (config.functionName !== undefined) return config.functionName
  return requestParams(ctx)[config.functionParam] ?? ''
}
