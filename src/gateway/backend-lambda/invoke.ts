// backend/lambda's call: krakend-lambda's Invoke (RequestResponse, LogType None) through the AWS
// SDK, its answer and errors as KrakenD's backend proxy returns them. Loaded only by a config with
// a Lambda backend (lazy/lambda.ts): the SDK is a chunk of its own.
import { InvokeCommand, LambdaClient, LambdaServiceException } from '@aws-sdk/client-lambda'
import type { Cancellation } from '../cancellation.ts'
import type { BackendResult, Context } from '../compiled-endpoint.ts'
import { goReason } from '../go-http.ts'
import { goQuote, goQuoteBytes } from '../go-quote.ts'
import type { Data } from '../transform.ts'
import { LambdaAnswerError, lambdaAnswerData } from './answer.ts'
import { GO_SDK_DEFAULT_RETRIES, type LambdaConfig } from './config.ts'
import { lambdaFunctionName, lambdaPayload } from './payload.ts'
import { GO_SESSION_ENDPOINTS, goSessionRegion } from './session.ts'

export type LambdaCall = (ctx: Context, cancel: Cancellation) => Promise<BackendResult>

/**
 * One backend's invoker, made at start as krakend-lambda makes its session: the region, endpoint
 * and retries of the config, else the environment's as aws-sdk-go v1 reads it (session.ts),
 * credentials from the SDK's default chain. `luraMethod` is the backend method as lura holds it (as written).
 */
export function compileLambdaCall(
  config: LambdaConfig,
  luraMethod: string,
  format: ((data: Data) => Data) | undefined,
): LambdaCall {
  const client = new LambdaClient({
    ...goSessionRegion(config, process.env),
    ...GO_SESSION_ENDPOINTS,
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    maxAttempts: (config.maxRetries ?? GO_SDK_DEFAULT_RETRIES) + 1,
  })
  return async (ctx, cancel) => {
    const payload = lambdaPayload(luraMethod, ctx)
    const name = lambdaFunctionName(config, ctx)
    // aws-sdk-go validates the input before sending anything.
    if (name === '')
      return failed(
        'InvalidParameter: 1 validation error(s) found.\n- minimum field size of 1, InvokeInput.FunctionName.\n',
      )
    if (cancel.aborted) return failed(canceled(cancel))
    try {
      const output = await client.send(
        new InvokeCommand({
          FunctionName: name,
          InvocationType: 'RequestResponse',
          LogType: 'None',
          Payload: payload,
        }),
        { abortSignal: cancel.signal },
      )
      if (output.StatusCode !== 200) return failed('aws lambda: bad status code')
      let data = lambdaAnswerData(output.Payload ?? new Uint8Array())
      if (format) data = format(data)
      const result: BackendResult = { ok: true, data, complete: true, status: 200 }
      if (output.ExecutedVersion !== undefined)
        result.headers = { 'X-Amz-Executed-Version': [output.ExecutedVersion] }
      return result
    } catch (error) {
      if (error instanceof LambdaAnswerError) return failed(error.message)
      if (cancel.aborted) return failed(canceled(cancel))
      return await goSdkError(error, client, name)
    }
  }
}

const failed = (message: string, code?: number): BackendResult => ({ ok: false, code, message })

/** aws-sdk-go's error for a request whose context ended. */
const canceled = (cancel: Cancellation) =>
  `RequestCanceled: request context canceled\ncaused by: ${cancel.contextError}`

interface SdkError {
  name?: string
  message?: string
  Type?: string
  $metadata?: { httpStatusCode?: number; requestId?: string }
  $response?: { statusCode?: number }
}

/**
 * An error as KrakenD's router sees aws-sdk-go v1's: the service's errors carry their HTTP status
 * (lura answers with it, a StatusCode() error) and print as the SDK's exception structs do.
 */
async function goSdkError(error: unknown, client: LambdaClient, name: string): Promise<BackendResult> {
  const e = (error ?? {}) as SdkError
  if (error instanceof LambdaServiceException) {
    const status = e.$metadata?.httpStatusCode ?? 0
    return failed(`${e.name}: ${e.message ?? ''}\n${exceptionStruct(e, status)}`, status || undefined)
  }
  const status = e.$response?.statusCode
  if (status !== undefined)
    return failed(
      `SerializationError: failed to unmarshal response error\n\tstatus code: ${status}, request id: `,
      status,
    )
  const message = e.message ?? String(error)
  if (message === 'Region is missing') return failed('MissingRegion: could not find region configuration')
  if (e.name === 'CredentialsProviderError')
    return failed(
      'NoCredentialProviders: no valid providers in chain. Deprecated.\n\tFor verbose messaging see aws.Config.CredentialsChainVerboseErrors',
    )
  const url = `${await endpointOf(client)}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`
  return failed(
    `RequestError: send request failed\ncaused by: Post ${goQuoteBytes(url)}: ${goReason(error, url)}`,
  )
}

/** awsutil.Prettify of a Lambda exception: its metadata, then Message_ and Type where the answer had them. */
function exceptionStruct(e: SdkError, status: number): string {
  const fields = [
    `  RespMetadata: {\n    StatusCode: ${status},\n    RequestID: ${goQuote(e.$metadata?.requestId ?? '')}\n  }`,
  ]
  if (e.message !== undefined && e.message !== '' && e.message !== 'UnknownError')
    fields.push(`  Message_: ${goQuote(e.message)}`)
  if (typeof e.Type === 'string') fields.push(`  Type: ${goQuote(e.Type)}`)
  return `{\n${fields.join(',\n')}\n}`
}
async function endpointOf(client: LambdaClient): Promise<string> {
  try {
    const endpoint = await client.config.endpoint?.()
    if (endpoint)
      return `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path.replace(/\/$/, '')}`
  } catch {}
  return `https://lambda.${(await client.config.region().catch(() => '')) || 'us-east-1'}.amazonaws.com`
}
