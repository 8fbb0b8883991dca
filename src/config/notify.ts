/** `notify:` in gwdeploy.yml: webhooks that hear about releases, and how their URLs are redacted. */
import { z } from 'zod'
import { duration } from './duration.ts'

const NOTIFY_EVENTS = [
  'started',
  'gate.passed',
  'gate.failed',
  'shift',
  'baked',
  'live',
  'rolled_back',
  'promoted',
  'retired',
  'failed',
  'refused',
] as const
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number]

export const NOTIFY_FORMATS = ['json', 'slack', 'teams'] as const

const webhookSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^https?:\/\/[^\s/]+/, 'must be an http(s) URL, e.g. https://hooks.slack.com/services/...')
      .describe(
        'Where to POST. It usually carries a secret: take it from the environment, e.g. ${SLACK_WEBHOOK_URL}.',
      ),
    format: z
      .enum(NOTIFY_FORMATS)
      .default('json')
      .describe(
        'slack (incoming webhook {text}), teams (Workflows webhook, Adaptive Card) or json (the event as is).',
      ),
    events: z
      .array(z.enum(NOTIFY_EVENTS))
      .min(1)
      .optional()
      .describe(`Only these events (default: all): ${NOTIFY_EVENTS.join(', ')}.`),
    name: z
      .string()
      .min(1)
      .optional()
      .describe('A label for this webhook in warnings (default: the redacted URL).'),
  })
  .describe('One webhook.')

export const notifySchema = z
  .strictObject({
    webhooks: z.array(webhookSchema).default([]).describe('Webhooks that receive release events.'),
    timeout: duration.prefault('5s').describe('Timeout of one delivery attempt.'),
    retries: z
      .number()
      .int()
      .min(0)
      .max(5)
      .default(2)
      .describe('Extra attempts after a network error, 429 or 5xx.'),
    flushTimeout: duration
      .prefault('2s')
      .describe('At most this long is spent at exit on deliveries still in flight; the rest are abandoned.'),
  })
  .describe('Notifications: sent in the background, never blocking or failing a release.')

export type NotifyConfig = z.output<typeof notifySchema>
export type WebhookConfig = NotifyConfig['webhooks'][number]

/**
 * A webhook URL without its secrets: credentials, everything after the first path segment
 * (Slack's /services/T/B/SECRET, Teams' /workflows/ID/...) and the query (Azure's `sig=`).
 */
export function redactUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return '[redacted url]'
  }
  const segments = url.pathname.split('/').filter(Boolean)
  const path = segments.length > 1 ? `/${segments[0]}/[redacted]` : segments.length ? '/[redacted]' : ''
  const user = url.username || url.password ? '[redacted]@' : ''
  return `${url.protocol}//${user}${url.host}${path}${url.search ? '?[redacted]' : ''}`
}
