/** The body each webhook format gets for a notification. */
import type { NOTIFY_FORMATS } from '../../config/notify.ts'
import type { Notification } from './events.ts'

type Format = (typeof NOTIFY_FORMATS)[number]

const BAD = new Set(['gate.failed', 'rolled_back', 'failed'])
const GOOD = new Set(['gate.passed', 'live', 'promoted', 'baked'])

const icon = (n: Notification) =>
  BAD.has(n.event) ? '🔴' : GOOD.has(n.event) ? '🟢' : n.event === 'refused' ? '⚪' : '🔵'

const facts = (n: Notification): Array<[string, string]> =>
  [
    ['event', n.event],
    ['provider', n.provider],
    ['sha', n.sha?.slice(0, 7)],
    ['config name', n.configName],
    ['traffic', n.weights ? `blue ${n.weights.blue}% / green ${n.weights.green}%` : undefined],
  ].filter((f): f is [string, string] => f[1] !== undefined)

export function renderBody(format: Format, n: Notification): unknown {
  if (format === 'slack') {
    // Slack incoming webhooks: `text` is required; mrkdwn escaping of & < >.
    const text = `${icon(n)} *gwdeploy* ${n.message}`
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
    return { text }
  }
  if (format === 'teams') {
    // Teams "Workflows" webhooks take a message with an Adaptive Card attachment.
    return {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              {
                type: 'TextBlock',
                text: `${icon(n)} gwdeploy: ${n.operation} ${n.event}`,
                weight: 'Bolder',
                color: BAD.has(n.event) ? 'Attention' : GOOD.has(n.event) ? 'Good' : 'Default',
                wrap: true,
              },
              { type: 'TextBlock', text: n.message, wrap: true },
              { type: 'FactSet', facts: facts(n).map(([title, value]) => ({ title, value })) },
            ],
          },
        },
      ],
    }
  }
  return n
}
