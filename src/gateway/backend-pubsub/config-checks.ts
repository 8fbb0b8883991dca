// The checks on pub/sub backends only the whole config shows (components/parse.ts calls them).
import { type KeyPath, parseKeyPath } from '../../core/source-text.ts'
import type { Report } from '../components/types.ts'
import type { GatewayConfig } from '../config/types.ts'
import { type KafkaTarget, PUBLISHER, type PubsubConfig, SUBSCRIBER } from './config.ts'

/** What only the whole config shows about its pub/sub backends. */
export function checkPubsubBackends(config: GatewayConfig, report: Report): void {
  refuseOnNoop(config, report)
  refuseKafkaOffsetsApart(pubsubInOpeningOrder(config), report)
}

/**
 * A pub/sub backend behind an `output_encoding: no-op` endpoint: KrakenD publishes (or takes a
 * message) and answers 200 with an empty body (lura's no-op render reads a body krakend-pubsub never
 * sets); this runtime's no-op proxy would make an HTTP call instead. Refused rather than reproduced.
 */
function refuseOnNoop(config: GatewayConfig, report: Report): void {
  for (const ep of config.endpoints)
    for (const b of ep.backends)
      if (ep.noop && b.pubsub)
        report.error(
          namespacePath(b.path, b.pubsub),
          `a pub/sub backend on the no-op endpoint ${ep.endpoint}: KrakenD answers 200 with an empty body, whatever the broker did`,
          'remove "output_encoding": "no-op" (and the backend\'s "encoding": "no-op") so the answer is rendered',
        )
}

const namespacePath = (path: string, pubsub: PubsubConfig): KeyPath => [
  ...parseKeyPath(path),
  'extra_config',
  pubsub.role === 'publisher' ? PUBLISHER : SUBSCRIBER,
]

interface OpenedPubsub {
  path: string
  pubsub: PubsubConfig
}

/** The pub/sub backends in the order KrakenD opens them: endpoints, then backends, as written. */
function pubsubInOpeningOrder(config: GatewayConfig): OpenedPubsub[] {
  const all: Array<OpenedPubsub & { at: KeyPath }> = []
  for (const ep of config.endpoints)
    for (const b of [...ep.backends, ...(ep.shadows ?? [])])
      if (b.pubsub) all.push({ path: b.path, pubsub: b.pubsub, at: parseKeyPath(b.path) })
  const rank = (at: KeyPath) => at.filter((key) => typeof key === 'number')
  return all.sort((a, b) => {
    const [x, y] = [rank(a.at), rank(b.at)]
    for (let i = 0; i < Math.max(x.length, y.length); i += 1)
      if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1)
    return 0
  })
}

/**
 * gocloud's kafka:// opener keeps one Sarama config for the process, and ?offset= writes into it:
 * every subscription starts where the last one opened says. Two that say differently are refused
 * rather than raced; one that says nothing takes the others' (kafka.ts: processInitialOffset).
 */
function refuseKafkaOffsetsApart(opened: OpenedPubsub[], report: Report): void {
  let first: OpenedPubsub | undefined
  for (const item of opened) {
    const target = item.pubsub.target
    if (target.driver !== 'kafka' || target.offset === undefined) continue
    first ??= item
    const said = (first.pubsub.target as KafkaTarget).offset
    if (target.offset !== said)
      report.error(
        namespacePath(item.path, item.pubsub),
        `?offset=${target.offset} beside ?offset=${said} at ${first.path}: gocloud's kafka:// subscriptions share one Sarama config, so each starts where the last one opened says, whichever it is`,
        'give every kafka:// subscription of the config the same ?offset= (or none: Sarama starts at the newest)',
      )
  }
}
