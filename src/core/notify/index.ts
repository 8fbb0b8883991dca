/**
 * Notifications for a command that operates a target: a reporter wrapper that forwards every
 * engine event to the command's own reporter and to the translator, which queues webhooks.
 */
import type { Reporter } from '../events.ts'
import type { Target } from '../target.ts'
import { NotificationTranslator } from './events.ts'
import { WebhookSender } from './sender.ts'

export interface Notifier {
  /** The reporter to hand to the engine: the command's reporter, observed. */
  wrap(reporter: Reporter): Reporter
  finished(result: unknown): void
  failed(error: { message: string; exitCode: number }): void
  /** At most notify.flushTimeout; returns warnings (URLs redacted). */
  flush(): Promise<string[]>
}

/** undefined when gwdeploy.yml has no webhooks. */
export function createNotifier(target: Target, operation: string, sha?: string): Notifier | undefined {
  const config = target.config.notify
  if (!config.webhooks.length) return undefined
  const sender = new WebhookSender(config)
  const translator = new NotificationTranslator(
    { operation, service: target.config.service, env: target.env, provider: target.provider.id, sha },
    (notification) => sender.send(notification),
  )
  return {
    wrap: (reporter) => ({
      emit(event) {
        reporter.emit(event)
        translator.observe(event)
      },
      close: (error) => reporter.close(error),
    }),
    finished: (result) => translator.finished(result),
    failed: (error) => translator.failed(error),
    flush: () => sender.flush(),
  }
}
