/**
 * gocloud's kafkapubsub on Sarama (MinimalConfig), as KrakenD opens it from KAFKA_BROKERS:
 *
 * - a topic is a producer of its own, connected when the node starts: brokers that cannot be reached
 *   then leave it failed for good (KrakenD falls back to an HTTP call to the URL, which fails each
 *   time). A record carries the body as its value, the metadata as headers, but the key_name one,
 *   which is its key; it goes to Sarama's hash partition (FNV-1a of the key, a random one without)
 *   and waits for the leader's acknowledgement (acks 1). Sarama refuses a record past its
 *   Producer.MaxMessageBytes before sending it.
 * - a subscription is a member of the consumer group named by the URL, joined when the node starts,
 *   consuming the ?topic= topics from the group's committed offsets, or where ?offset= says for a
 *   partition without one (newest by default, shared by the process's subscriptions: config.ts).
 *   An acknowledged message marks its offset once every message received before it is acknowledged
 *   too; marks are committed every second (Sarama's auto-commit) and when the node stops.
 */
import {
  Consumer,
  type GroupPartitionsAssigner,
  type GroupPartitionsAssignments,
  type Message,
  type MessagesStream,
  Producer,
} from '@platformatic/kafka'
import type { KafkaTarget } from './config.ts'
import { type PubsubDriver, type ReceivedMessage, untilAborted } from './driver.ts'
import { MessageQueue } from './queue.ts'

/** Sarama's ClientID, what the brokers see of KrakenD. */
const CLIENT_ID = 'sarama'
/** Sarama's Producer.MaxMessageBytes and a record's overhead as ProducerMessage.ByteSize counts it. */
const MAX_MESSAGE_BYTES = 1024 * 1024
const RECORD_OVERHEAD = 36
const HEADER_OVERHEAD = 10
/** Sarama's Metadata.Retry.Backoff (3 retries, as here). */
const RETRY_DELAY_MS = 250
/** Sarama's Consumer.Offsets.AutoCommit.Interval. */
const COMMIT_INTERVAL_MS = 1000
/** Messages fetched ahead of the requests (Sarama's ChannelBufferSize per partition). */
const FETCHED_AHEAD = 256

/** KAFKA_BROKERS as gocloud splits it. */
export const kafkaBrokers = (value: string): string[] => value.split(',').map((b) => b.trim())

/** Every client this process opened, closed by closeKafkaClients. */
const clients = new Set<{ close(): Promise<void> }>()

/** Closes the process's Kafka clients, committing what was marked (tests; a node's drain). */
export async function closeKafkaClients(): Promise<void> {
  const open = [...clients]
  clients.clear()
  await Promise.allSettled(open.map((client) => client.close()))
}

/**
 * Where a group without a committed offset starts: one Sarama config for the process, which each
 * subscription's ?offset= writes into (config.ts refuses two that differ).
 */
let processInitialOffset: 'oldest' | 'newest' = 'newest'
/**
 * The record key's metadata name: gocloud's opener keeps one TopicOptions for the process, which each
 * topic's ?key_name= writes into and each topic copies when it opens. A topic without the parameter
 * takes the last one a topic opened before it (the node compiles backends in the config's order).
 */
let processKeyName: string | undefined

/** Sarama's hashPartitioner: int32(fnv1a32(key)) % partitions, made non-negative. */
export function saramaPartition(key: Buffer | undefined, partitions: number): number {
  if (key === undefined) return Math.floor(Math.random() * partitions)
  let hash = 0x811c9dc5
  for (const byte of key) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0
  return Math.abs((hash | 0) % partitions)
}

/** ProducerMessage.ByteSize for record batches (Kafka 0.11 and later). */
function saramaByteSize(key: Buffer | undefined, value: Buffer, headers: Map<Buffer, Buffer>): number {
  let size = RECORD_OVERHEAD + (key?.length ?? 0) + value.length
  for (const [name, v] of headers) size += name.length + v.length + HEADER_OVERHEAD
  return size
}

/**
 * Sarama's default group strategy, "range": per topic, its subscribers sorted by member id each take
 * the next run of partitions, the first ones one more while the division leaves some over. Under the
 * same protocol name a group can mix this runtime's nodes and KrakenD's.
 */
export const rangeAssigner: GroupPartitionsAssigner = (_current, members, topics, metadata) => {
  const plan = new Map<string, GroupPartitionsAssignments>()
  for (const memberId of members.keys()) plan.set(memberId, { memberId, assignments: new Map() })
  for (const topic of topics) {
    const subscribers = [...members]
      .filter(([, member]) => member.topics?.includes(topic))
      .map(([id]) => id)
      .sort()
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0
    if (subscribers.length === 0 || count === 0) continue
    const each = Math.floor(count / subscribers.length)
    const extra = count % subscribers.length
    subscribers.forEach((memberId, i) => {
      const first = i * each + Math.min(extra, i)
      const partitions = Array.from({ length: each + (i < extra ? 1 : 0) }, (_, k) => first + k)
      if (partitions.length > 0) plan.get(memberId)?.assignments.set(topic, { topic, partitions })
    })
  }
  return [...plan.values()]
}

export function kafkaDriver(target: KafkaTarget, brokersVariable: string, subscriber: boolean): PubsubDriver {
  const brokers = kafkaBrokers(brokersVariable)
  return subscriber ? subscription(target, brokers) : topic(target, brokers)
}

function topic(target: KafkaTarget, brokers: string[]): PubsubDriver {
  if (target.keyName !== undefined) processKeyName = target.keyName
  const keyName = processKeyName
  const producer = new Producer({
    clientId: CLIENT_ID,
    bootstrapBrokers: brokers,
    autocreateTopics: true,
    acks: 1,
    strict: false,
    // Sarama's Metadata.Retry.Backoff: a topic the broker creates on first use is ready sooner
    retryDelay: RETRY_DELAY_MS,
  })
  clients.add({ close: () => producer.close(true) })
  // NewSyncProducer reads the cluster's metadata when the backend opens, at start
  const opened = producer.metadata({ topics: [] }).then(
    () => undefined,
    (error: unknown) =>
      new Error(`kafka: client has run out of available brokers to talk to: ${message(error)}`),
  )
  return {
    async publish(metadata, body, signal) {
      const failed = await untilAborted(opened, signal)
      if (failed) throw failed
      let key: Buffer | undefined
      const headers = new Map<Buffer, Buffer>()
      for (const [name, value] of metadata) {
        if (name === keyName) key = Buffer.from(value)
        else headers.set(Buffer.from(name), Buffer.from(value))
      }
      if (saramaByteSize(key, body, headers) > MAX_MESSAGE_BYTES)
        throw new Error('kafka: Failed to deliver 1 messages.')
      const cluster = await producer.metadata({ topics: [target.name], autocreateTopics: true })
      const partitions = cluster.topics.get(target.name)?.partitionsCount ?? 1
      await producer.send({
        messages: [
          {
            topic: target.name,
            partition: saramaPartition(key, partitions),
            ...(key === undefined ? {} : { key }),
            value: body,
            headers,
          },
        ],
      })
    },
    receive: () => Promise.reject(new Error('kafka:// topic opened as a subscription')),
  }
}

interface Unacked {
  message: Message
  acked: boolean
}

function subscription(target: KafkaTarget, brokers: string[]): PubsubDriver {
  const offset = target.offset
  if (offset !== undefined) processInitialOffset = offset
  const consumer = new Consumer({
    clientId: CLIENT_ID,
    groupId: target.name,
    bootstrapBrokers: brokers,
    autocreateTopics: true,
    strict: false,
    retryDelay: RETRY_DELAY_MS,
    // Sarama's consumer group defaults
    sessionTimeout: 10_000,
    rebalanceTimeout: 60_000,
    heartbeatInterval: 3000,
    maxWaitTime: 500,
    isolationLevel: 0,
    protocols: [{ name: 'range', version: 0 }],
    partitionAssigner: rangeAssigner,
  })
  const queue = new MessageQueue<ReceivedMessage>()
  const unacked: Unacked[] = []
  /** The next offset to commit per topic and partition. */
  const marked = new Map<string, { topic: string; partition: number; offset: bigint; leaderEpoch: number }>()
  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined

  const commit = async () => {
    if (marked.size === 0) return
    const offsets = [...marked.values()]
    marked.clear()
    await consumer.commit({ offsets }).catch(() => {})
  }
  const mark = () => {
    while (unacked[0]?.acked) {
      const { message: m } = unacked.shift() as Unacked
      marked.set(`${m.partition}:${m.topic}`, {
        topic: m.topic,
        partition: m.partition,
        offset: m.offset + 1n,
        leaderEpoch: m.leaderEpoch,
      })
    }
  }
  const timer = setInterval(() => void commit(), COMMIT_INTERVAL_MS)
  timer.unref()
  clients.add({
    close: async () => {
      clearInterval(timer)
      await commit()
      await consumer.close(true)
    },
  })

  // Sarama's group joins when the backend opens; after every backend opened, so the process's
  // ?offset= is known.
  setImmediate(() => {
    consumer
      .consume({
        topics: target.topics,
        mode: 'committed',
        fallbackMode: processInitialOffset === 'oldest' ? 'earliest' : 'latest',
        autocommit: false,
        highWaterMark: FETCHED_AHEAD,
      })
      .then(
        (opened) => {
          stream = opened
          opened.on('data', (m: Message) => {
            const entry: Unacked = { message: m, acked: false }
            unacked.push(entry)
            queue.push({
              body: m.value,
              ack: () => {
                entry.acked = true
                mark()
              },
            })
            if (queue.length >= FETCHED_AHEAD) opened.pause()
          })
          opened.on('error', (error: Error) => queue.fail(error))
        },
        (error: unknown) => queue.fail(error instanceof Error ? error : new Error(message(error))),
      )
  })

  return {
    publish: () => Promise.reject(new Error('kafka:// subscription opened as a topic')),
    async receive(signal) {
      const received = await queue.take(signal)
      if (stream?.isPaused() && queue.length < FETCHED_AHEAD) stream.resume()
      return received
    },
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))
