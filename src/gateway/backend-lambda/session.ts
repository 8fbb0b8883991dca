// What aws-sdk-go v1's session (krakend-lambda's) takes from the environment where the AWS SDK for
// JavaScript v3 would take more: v1 reads AWS_DEFAULT_REGION and the shared config file's region
// only with AWS_SDK_LOAD_CONFIG set, and knows no AWS_ENDPOINT_URL(_LAMBDA) nor endpoint_url.
import type { LambdaClientConfig } from '@aws-sdk/client-lambda'
import type { LambdaConfig } from './config.ts'

/** strconv.ParseBool's true spellings. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])

/** The region aws-sdk-go v1's session calls, or undefined (every call then fails with MissingRegion). */
export function goRegionName(config: LambdaConfig, env: NodeJS.ProcessEnv): string | undefined {
  if (config.region !== undefined) return config.region
  if (env.AWS_REGION) return env.AWS_REGION
  return GO_TRUE.has(env.AWS_SDK_LOAD_CONFIG ?? '') ? env.AWS_DEFAULT_REGION || undefined : undefined
}

/** The client settings for the region, as the v1 session finds it; undefined: as the v3 SDK does. */
export function goSessionRegion(
  config: LambdaConfig,
  env: NodeJS.ProcessEnv,
): Pick<LambdaClientConfig, 'region'> {
  if (config.region !== undefined) return { region: config.region }
  if (env.AWS_REGION) return {}
  const sharedConfig = GO_TRUE.has(env.AWS_SDK_LOAD_CONFIG ?? '')
  if (sharedConfig) return env.AWS_DEFAULT_REGION ? { region: env.AWS_DEFAULT_REGION } : {}
  // No region for v1: every call fails with MissingRegion (v3 would read ~/.aws/config).
  return { region: (): Promise<string> => Promise.reject(new Error('Region is missing')) }
}

/** v1 calls the endpoint of the config or the region's, never one from the environment. */
export const GO_SESSION_ENDPOINTS: Pick<LambdaClientConfig, 'ignoreConfiguredEndpointUrls'> = {
  ignoreConfiguredEndpointUrls: true,
}
