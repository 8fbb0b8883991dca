// What a backend/lambda needs of the node that runs it, checked before it serves (exit 2).
import { configError } from '../../core/errors.ts'
import type { GatewayConfig } from '../config/types.ts'
import { proxiedOrigin } from '../proxy-environment.ts'
import { goRegionName } from './session.ts'

/**
 * KrakenD's Go AWS SDK sends its Invoke calls through the HTTP_PROXY / HTTPS_PROXY the environment
 * names; this runtime's AWS client would go around that proxy: refused, not silently bypassed.
 */
export function refuseProxiedLambda(
  config: GatewayConfig,
  env: NodeJS.ProcessEnv,
  file: string | undefined,
): void {
  for (const ep of config.endpoints)
    for (const b of [...ep.backends, ...(ep.shadows ?? [])]) {
      const lambda = b.components?.lambda
      if (lambda === undefined) continue
      const region = goRegionName(lambda, env)
      if (region === undefined) continue // every call fails with MissingRegion, in KrakenD too
      const endpoint =
        lambda.region !== undefined && lambda.endpoint !== undefined
          ? lambda.endpoint
          : `https://lambda.${region}.amazonaws.com`
      const proxied = proxiedOrigin(endpoint, env)
      if (proxied === undefined) continue
      throw configError(
        `${b.path} invokes its function at ${proxied} through the proxy HTTP_PROXY/HTTPS_PROXY name in KrakenD (Go's AWS SDK reads them), which this runtime's AWS client would go around`,
        {
          location: { ...(file ? { file } : {}), path: `${b.path}.extra_config.backend/lambda` },
          hint: `list ${new URL(proxied).hostname} in NO_PROXY, or run this backend on KrakenD`,
        },
      )
    }
}
