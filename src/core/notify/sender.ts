/**
 * Delivers notifications to webhooks in the background: one ordered queue per webhook, a
 * timeout per attempt and a bounded retry (network errors, 429, 5xx) with backoff. `send`
 * never waits and never throws; `flush` waits at most its bound, then abandons what is left.
 * URLs are secrets: only their redacted form ever appears in a message.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { type NotifyConfig, redactUrl, type WebhookConfig } from '../../config/notify.ts'
import type { Notification } from './events.ts'
import { renderBody } from './formats.ts'

const BACKOFF_MS = 250

class Abandoned extends Error {}

/** fetch refuses URLs with credentials: `https://user:pass@host/...` becomes Basic auth. */
function splitCredentials(text: string): { url: string; authorization?: string } {
  const url = new URL(text)
  if (!url.username && !url.password) return { url: text }
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
  url.username = ''
  url.password = ''
  return { url: url.toString(), authorization: `Basic ${Buffer.from(pair).toString('base64')}` }
}

export class WebhookSender {
  readonly #config: NotifyConfig
  readonly #queues = new Map<WebhookConfig, Promise<void>>()
  readonly #stop = new AbortController()
  readonly #problems: string[] = []
  #pending = 0

  constructor(config: NotifyConfig) {
    this.#config = config
  }

  #label(hook: WebhookConfig): string {
    return hook.name ?? redactUrl(hook.url)
  }

  /** Error text with the URL (and its pieces) scrubbed, whatever the HTTP stack put in it. */
  #scrub(hook: WebhookConfig, text: string): string {
    const secret = (() => {
      try {
        const url = new URL(hook.url)
        return [hook.url, url.pathname, url.search, url.password, url.username].filter((s) => s.length > 1)
      } catch {
        return [hook.url]
      }
    })()
    return secret.reduce((out, s) => out.replaceAll(s, '[redacted]'), text)
  }

  async #attempt(
    hook: WebhookConfig,
    body: string,
  ): Promise<{ ok: boolean; retry: boolean; reason: string }> {
    const signal = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(this.#config.timeout)])
    try {
      const { url, authorization } = splitCredentials(hook.url)
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'gwdeploy',
          ...(authorization ? { authorization } : {}),
        },
        body,
        signal,
        redirect: 'error',
      })
      await response.arrayBuffer().catch(() => undefined)
      if (response.ok) return { ok: true, retry: false, reason: '' }
      return {
        ok: false,
        retry: response.status === 429 || response.status >= 500,
        reason: `HTTP ${response.status}`,
      }
    } catch (error) {
      if (this.#stop.signal.aborted) throw new Abandoned()
      const cause = (error as { cause?: { code?: string; message?: string } }).cause
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${this.#config.timeout} ms`
          : (cause?.code ?? cause?.message ?? (error as Error).message)
      return { ok: false, retry: true, reason: this.#scrub(hook, reason) }
    }
  }

  async #deliver(hook: WebhookConfig, notification: Notification): Promise<void> {
    const body = JSON.stringify(renderBody(hook.format, notification))
    let last = ''
    for (let attempt = 0; attempt <= this.#config.retries; attempt++) {
      if (attempt > 0) {
        await delay(BACKOFF_MS * 2 ** (attempt - 1), undefined, { signal: this.#stop.signal }).catch(() => {
          throw new Abandoned()
        })
      }
      const result = await this.#attempt(hook, body)
      if (result.ok) return
      last = result.reason
      if (!result.retry) break
    }
    this.#problems.push(
      `notify ${this.#label(hook)}: ${notification.event} not delivered (${last}, ${this.#config.retries + 1} attempt(s) at most)`,
    )
  }

  /** Queues the notification for every webhook that wants it; returns at once. */
  send(notification: Notification): void {
    if (this.#stop.signal.aborted) return
    for (const hook of this.#config.webhooks) {
      if (hook.events && !hook.events.includes(notification.event)) continue
      this.#pending += 1
      const previous = this.#queues.get(hook) ?? Promise.resolve()
      const next = previous
        .then(() => (this.#stop.signal.aborted ? undefined : this.#deliver(hook, notification)))
        .catch((error) => {
          if (!(error instanceof Abandoned))
            this.#problems.push(`notify ${this.#label(hook)}: ${this.#scrub(hook, String(error))}`)
        })
        .finally(() => {
          this.#pending -= 1
        })
      this.#queues.set(hook, next)
    }
  }

  /** Waits for deliveries in flight, at most `flushTimeout`; abandons the rest. Returns warnings (redacted). */
  async flush(): Promise<string[]> {
    const all = Promise.all(this.#queues.values())
    let timer: NodeJS.Timeout | undefined
    const bound = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#config.flushTimeout)
    })
    const outcome = await Promise.race([all.then(() => 'done' as const), bound])
    clearTimeout(timer)
    if (outcome === 'timeout' && this.#pending > 0) {
      this.#problems.push(
        `notify: ${this.#pending} notification(s) still in flight after ${this.#config.flushTimeout} ms: abandoned (notify.flushTimeout)`,
      )
    }
    this.#stop.abort()
    return [...this.#problems]
  }
}
