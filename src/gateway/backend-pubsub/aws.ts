/**
 * gocloud's awssnssqs (AWS SDK v2 in KrakenD; the JS SDK v3 here): an SNS topic publishes with
 * PublishBatch, an SQS topic with SendMessageBatch, one entry per request; an SQS subscription
 * polls ReceiveMessage while a request waits (250 ms apart when the queue is empty), keeps a
 * message whose request left for the next one, and deletes a message once it decoded. Region,
 * endpoint and profile come from the URL's query, else the SDK's environment; credentials from
 * the SDK's default chain. A failed receive puts the subscription in error for good, as gocloud.
 */
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns'
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'
import { awsMessage, receivedBody } from './aws-attributes.ts'
import type { AwsTarget } from './config.ts'
import type { PubsubDriver, ReceivedMessage } from './driver.ts'
import { MessageQueue } from './queue.ts'

const NO_MESSAGES_PAUSE_MS = 250

export function awsDriver(target: AwsTarget): PubsubDriver {
  const settings = {
    ...(target.region !== undefined ? { region: target.region } : {}),
    ...(target.endpoint !== undefined ? { endpoint: target.endpoint } : {}),
    ...(target.profile !== undefined ? { profile: target.profile } : {}),
  }
  const sns = target.service === 'sns' ? new SNSClient(settings) : undefined
  const sqs = target.service === 'sqs' ? new SQSClient(settings) : undefined
  const queue = new MessageQueue<ReceivedMessage>()
  let waiting = 0
  let polling = false

  const poll = async (): Promise<void> => {
    if (polling || !sqs) return
    polling = true
    try {
      while (waiting > 0 && !queue.failed) {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: target.queueUrl,
            MaxNumberOfMessages: 1,
            MessageAttributeNames: ['All'],
            AttributeNames: ['All'],
            ...(target.waitTimeS !== undefined ? { WaitTimeSeconds: target.waitTimeS } : {}),
          }),
        )
        const messages = out.Messages ?? []
        for (const m of messages) {
          const body = receivedBody(m.Body ?? '', Object.keys(m.MessageAttributes ?? {}), target.raw)
          const handle = m.ReceiptHandle
          queue.push({
            body,
            ack: () => {
              void sqs
                .send(
                  new DeleteMessageBatchCommand({
                    QueueUrl: target.queueUrl,
                    Entries: [{ Id: '0', ReceiptHandle: handle }],
                  }),
                )
                .catch(() => {})
            },
          })
        }
        if (messages.length === 0) await new Promise((resolve) => setTimeout(resolve, NO_MESSAGES_PAUSE_MS))
      }
    } catch (error) {
      queue.fail(error as Error)
    } finally {
      polling = false
    }
  }

  return {
    async publish(metadata, body, signal) {
      const message = awsMessage(metadata, body)
      if (sns) {
        const out = await sns.send(
          new PublishBatchCommand({
            TopicArn: target.arn,
            PublishBatchRequestEntries: [
              {
                Id: '0',
                Message: message.body,
                ...(message.attributes ? { MessageAttributes: stringAttributes(message.attributes) } : {}),
              },
            ],
          }),
          { abortSignal: signal },
        )
        const failed = out.Failed ?? []
        if (failed.length > 0)
          throw new Error(
            `sns.PublishBatch failed for ${failed.length} message(s): ${failed[0]?.Code ?? ''}, ${failed[0]?.Message ?? ''}`,
          )
        return
      }
      const out = await (sqs as SQSClient).send(
        new SendMessageBatchCommand({
          QueueUrl: target.queueUrl,
          Entries: [
            {
              Id: '0',
              MessageBody: message.body,
              ...(message.attributes ? { MessageAttributes: stringAttributes(message.attributes) } : {}),
            },
          ],
        }),
        { abortSignal: signal },
      )
      const failed = out.Failed ?? []
      if (failed.length > 0)
        throw new Error(
          `sqs.SendMessageBatch failed for ${failed.length} message(s): ${failed[0]?.Code ?? ''}, ${failed[0]?.Message ?? ''}`,
        )
    },
    async receive(signal) {
      waiting += 1
      void poll()
      try {
        return await queue.take(signal)
      } finally {
        waiting -= 1
      }
    },
  }
}

const stringAttributes = (attributes: Record<string, string>) =>
  Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]))
