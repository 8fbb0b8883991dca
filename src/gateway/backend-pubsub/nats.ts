/**
 * gocloud's natspubsub: one NATS connection per process (NATS_SERVER_URL), plain subjects (no
 * JetStream). Metadata travels in gocloud's gob envelope, or with ?natsv2 as NATS headers with
 * query-escaped names and values. A subscription subscribes when the node starts, so messages
 * published before the first request wait for it, as in KrakenD.
 */
import { connect, type Msg, type NatsConnection, headers as natsHeaders } from 'nats'
import { goQueryEscape, unescapeQueryBytes } from '../go-url.ts'
import type { NatsTarget } from './config.ts'
import { type PubsubDriver, type ReceivedMessage, untilAborted, withoutSecrets } from './driver.ts'
import { decodeGobEnvelope, encodeGobEnvelope } from './gob.ts'
import { natsServers } from './nats-servers.ts'
import { MessageQueue } from './queue.ts'

/** nats.go's reconnect defaults (60 attempts, 2 s apart), which KrakenD's connection keeps. */
const RECONNECT = { maxReconnectAttempts: 60, reconnectTimeWait: 2000 }

const connections = new Map<string, Promise<NatsConnection>>()

/** The process's connection to serverUrl, dialled again once a previous one failed or closed. */
function connection(serverUrl: string): Promise<NatsConnection> {
  let pending = connections.get(serverUrl)
  if (pending === undefined) {
    pending = dial(serverUrl)
    connections.set(serverUrl, pending)
    pending.then(
      (nc) => void nc.closed().then(() => connections.delete(serverUrl)),
      () => connections.delete(serverUrl),
    )
  }
  return pending
}

async function dial(serverUrl: string): Promise<NatsConnection> {
  const { servers, auth } = natsServers(serverUrl)
  try {
    return await connect({ servers, ...auth, ...RECONNECT })
  } catch (error) {
    throw new Error(`failed to dial NATS_SERVER_URL: ${withoutSecrets((error as Error).message, serverUrl)}`)
  }
}

/** Closes the process's NATS connections (tests; a node's process ends with its drain). */
export async function closeNatsConnections(): Promise<void> {
  const open = [...connections.values()]
  connections.clear()
  await Promise.allSettled(open.map(async (pending) => (await pending).close()))
}

export function natsDriver(target: NatsTarget, serverUrl: string, subscriber: boolean): PubsubDriver {
  const queue = new MessageQueue<ReceivedMessage>()
  let subscribed: Promise<void> | undefined
  const subscribe = (): Promise<void> => {
    subscribed ??= connection(serverUrl).then(
      (nc) => {
        nc.subscribe(target.subject, {
          ...(target.queue ? { queue: target.queue } : {}),
          callback: (error, msg) => {
            if (error) queue.fail(error)
            else receiveOne(msg, target.headers, queue)
          },
        })
        void nc.closed().then(() => {
          subscribed = undefined
        })
      },
      (error: unknown) => {
        subscribed = undefined
        throw error
      },
    )
    return subscribed
  }
  if (subscriber) subscribe().catch(() => {})
  return {
    async publish(metadata, body) {
      const nc = await connection(serverUrl)
      if (!target.headers) {
        nc.publish(target.subject, encodeGobEnvelope(metadata, body))
        return
      }
      const h = natsHeaders()
      for (const [k, v] of metadata) h.set(goQueryEscape(k), goQueryEscape(v))
      nc.publish(target.subject, body, metadata.length > 0 ? { headers: h } : {})
    },
    async receive(signal) {
      // a server that does not answer holds the dial: the request waits no longer than its context
      await untilAborted(subscribe(), signal)
      return queue.take(signal)
    },
  }
}

/** natspubsub's decoding of one message: a failure puts the subscription in error for good. */
function receiveOne(msg: Msg, withHeaders: boolean, queue: MessageQueue<ReceivedMessage>): void {
  const ack = () => {}
  if (withHeaders) {
    for (const [k, values] of msg.headers ?? [])
      if (unescapeQueryBytes(k) === undefined || unescapeQueryBytes(values[0] ?? '') === undefined) {
        queue.fail(new Error(`invalid URL escape in the header ${JSON.stringify(k)}`))
        return
      }
    queue.push({ body: msg.data, ack })
    return
  }
  const body = decodeGobEnvelope(msg.data)
  if (body instanceof Error) queue.fail(body)
  else queue.push({ body, ack })
}
