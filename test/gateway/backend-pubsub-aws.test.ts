// backend/pubsub/publisher and subscriber on AWS (gocloud's awssnssqs) against moto: what SNS and
// SQS receive (body, base64 rule, metadata as escaped String attributes) and what the client gets,
// as KrakenD 2.13.8 does on the same moto (compared: see the commit message).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { CreateTopicCommand, DeleteTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns'
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'
import { type MotoInfo, requireMoto } from '../helpers/services.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const tag = randomBytes(4).toString('hex')
const name = (what: string) => `gw-pubsub-${tag}-${what}`

let moto: MotoInfo
let sns: SNSClient
let sqs: SQSClient
let gw: Running
let topicArn: string
const queues: Record<string, string> = {}

const queueArn = async (url: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes
    ?.QueueArn as string

async function nextIn(queue: string) {
  for (let i = 0; i < 20; i += 1) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues[queue],
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 1,
      }),
    )
    const m = out.Messages?.[0]
    if (m) return m
  }
  throw new Error(`nothing in ${queue}`)
}

before(async () => {
  moto = await requireMoto()
  const client = { region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials }
  sns = new SNSClient(client)
  sqs = new SQSClient(client)
  topicArn = (await sns.send(new CreateTopicCommand({ Name: name('topic') }))).TopicArn as string
  for (const q of ['wrapped', 'raw', 'out', 'in'])
    queues[q] = (await sqs.send(new CreateQueueCommand({ QueueName: name(q) }))).QueueUrl as string
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: await queueArn(queues.wrapped as string),
    }),
  )
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: await queueArn(queues.raw as string),
      Attributes: { RawMessageDelivery: 'true' },
    }),
  )
  process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey
  const params = `region=${moto.region}&endpoint=${moto.endpoint}`
  const sqsPath = (q: string) => `sqs.${moto.region}.amazonaws.com/123456789012/${name(q)}?${params}`
  const backend = (host: string, role: 'publisher' | 'subscriber', url: string, more = {}) => ({
    host: [host],
    disable_host_sanitize: true,
    url_pattern: '/x',
    ...more,
    extra_config: {
      [`backend/pubsub/${role}`]: role === 'publisher' ? { topic_url: url } : { subscription_url: url },
    },
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '1500ms',
      endpoints: [
        {
          endpoint: '/sns',
          method: 'POST',
          backend: [backend('awssns://', 'publisher', `/${topicArn}?${params}`)],
        },
        {
          endpoint: '/sqs',
          method: 'POST',
          input_headers: ['X-Dots', 'Content-Type'],
          backend: [backend('awssqs://', 'publisher', sqsPath('out'))],
        },
        { endpoint: '/wrapped', backend: [backend('awssqs://', 'subscriber', sqsPath('wrapped'))] },
        { endpoint: '/raw', backend: [backend('awssqs://', 'subscriber', sqsPath('raw'))] },
        {
          endpoint: '/in',
          backend: [backend('awssqs://', 'subscriber', `${sqsPath('in')}&waittime=1s`, { group: 'g' })],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  for (const url of Object.values(queues)) await sqs?.send(new DeleteQueueCommand({ QueueUrl: url }))
  if (topicArn) await sns?.send(new DeleteTopicCommand({ TopicArn: topicArn }))
})

test('an SNS publish reaches its SQS subscriptions; the subscriber unwraps an SNS delivery', async () => {
  const res = await send(gw.url, {
    method: 'POST',
    path: '/sns',
    headers: { 'content-type': 'application/json' },
    body: '{"a":1}',
  })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.text, 'null')
  assert.equal(res.headers['x-krakend-completed'], 'false')
  const wrapped = await send(gw.url, { path: '/wrapped' })
  assert.equal(wrapped.text, '{"a":1}')
  assert.equal(wrapped.headers['x-krakend-completed'], 'true')
  assert.equal((await send(gw.url, { path: '/raw' })).text, '{"a":1}')
})

test('an SQS publish: a body that is not UTF-8 goes base64, metadata as escaped String attributes', async () => {
  // raw bytes (the helpers' send writes text as UTF-8)
  const res = await fetch(`${gw.url}/sqs`, {
    method: 'POST',
    headers: { 'x-dots': 'a/b c%d', 'content-type': 'application/octet-stream' },
    body: new Uint8Array([0xff, 0xfe, 0x6f, 0x6b]),
  })
  assert.equal(res.status, 200, await res.text())
  const m = await nextIn('out')
  const attributes = Object.fromEntries(
    Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, [v.DataType, v.StringValue]]),
  )
  assert.deepEqual(attributes, {
    'X-Dots': ['String', 'a%2Fb%20c%25d'],
    'Content-Type': ['String', 'application%2Foctet-stream'],
    'X-Forwarded-For': ['String', '127.0.0.1'],
    'X-Forwarded-Host': ['String', new URL(gw.url).host],
    'User-Agent': ['String', 'KrakenD%20Version%202.13.8'],
    base64encoded: ['String', 'true'],
  })
  assert.equal(m.Body, Buffer.from([0xff, 0xfe, 0x6f, 0x6b]).toString('base64'))
})

test('the subscriber decodes base64encoded bodies, waits for the timeout on an empty queue', async () => {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queues.in,
      MessageBody: Buffer.from('{"c":3}').toString('base64'),
      MessageAttributes: { base64encoded: { DataType: 'String', StringValue: 'true' } },
    }),
  )
  assert.equal((await send(gw.url, { path: '/in' })).text, '{"g":{"c":3}}')
  assert.equal((await send(gw.url, { path: '/in' })).status, 500)
})

test('a message the encoding cannot decode fails its request and is not deleted', async () => {
  await sqs.send(new SendMessageCommand({ QueueUrl: queues.in, MessageBody: 'not json' }))
  assert.equal((await send(gw.url, { path: '/in' })).status, 500)
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queues.in,
      AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
    }),
  )
  assert.equal(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible, '1')
})
