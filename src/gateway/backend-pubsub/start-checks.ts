/**
 * What a pub/sub config needs of the node that runs it, checked before it serves (exit 2):
 * the driver's server URL in the environment (gocloud's default openers read NATS_SERVER_URL,
 * RABBIT_SERVER_URL and KAFKA_BROKERS; without it KrakenD calls the backend over HTTP and fails every request). One
 * worker process for a subscriber: config/single-process.ts.
 */
import { configError } from '../../core/errors.ts'
import type { GatewayConfig } from '../config/types.ts'
import { proxiedOrigin } from '../proxy-environment.ts'
import { type AwsTarget, NATS_ENV, SERVER_ENV } from './config.ts'
import { natsServers } from './nats-servers.ts'

const SERVER_EXAMPLE: Partial<Record<string, string>> = {
  nats: 'nats://nats:4222',
  rabbit: 'amqp://user:password@rabbitmq:5672/',
  kafka: 'kafka-1:9092,kafka-2:9092',
}

export function refuseUnrunnablePubsub(
  config: GatewayConfig,
  env: Record<string, string | undefined>,
  file: string | undefined,
): void {
  for (const ep of config.endpoints)
    for (const b of [...ep.backends, ...(ep.shadows ?? [])]) {
      const pubsub = b.pubsub
      if (pubsub === undefined) continue
      const variable = SERVER_ENV[pubsub.target.driver]
      if (variable !== undefined && (env[variable] ?? '') === '')
        throw configError(
          `${b.path} opens ${JSON.stringify(pubsub.url)}, and ${variable} is not set: gocloud's ${pubsub.target.driver} driver dials the server it names`,
          {
            location: { ...(file ? { file } : {}), path: b.path },
            hint: `set ${variable} in the node's environment (e.g. ${SERVER_EXAMPLE[pubsub.target.driver]})`,
          },
        )
      const nats = pubsub.target.driver === 'nats' ? natsServers(env[NATS_ENV] ?? '').unsupported : undefined
      if (nats !== undefined)
        throw configError(
          `${NATS_ENV} names ${nats}, which this runtime does not dial as nats.go does (only nats:// servers), for ${b.path}`,
          {
            location: { ...(file ? { file } : {}), path: b.path },
            hint: `write ${NATS_ENV} as nats://host:4222 (a comma-separated list for a cluster)`,
          },
        )
      const proxied = pubsub.target.driver === 'aws' ? awsProxy(pubsub.target, env) : undefined
      if (proxied !== undefined)
        throw configError(
          `${b.path} calls ${proxied} through the proxy HTTP_PROXY/HTTPS_PROXY name in KrakenD (Go's AWS SDK reads them), which this runtime's AWS client would go around`,
          {
            location: { ...(file ? { file } : {}), path: b.path },
            hint: `list ${new URL(proxied).hostname} in NO_PROXY, or run this backend on KrakenD`,
          },
        )
    }
}

/** The AWS endpoint's origin when the environment would send KrakenD's calls to it through a proxy. */
function awsProxy(target: AwsTarget, env: Record<string, string | undefined>): string | undefined {
  const region = target.region ?? env.AWS_REGION ?? 'us-east-1'
  return proxiedOrigin(target.endpoint ?? `https://${target.service}.${region}.amazonaws.com`, env)
}
