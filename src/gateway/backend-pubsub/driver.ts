/** What a pub/sub driver does for krakend-pubsub's two backends. */
export interface ReceivedMessage {
  body: Uint8Array
  /** gocloud's Message.Ack (a no-op on NATS). */
  ack(): void
}

export interface PubsubDriver {
  /** gocloud's Topic.Send: resolves once the driver sent it (RabbitMQ: confirmed by the broker). */
  publish(metadata: Array<[string, string]>, body: Buffer, signal: AbortSignal): Promise<void>
  /** gocloud's Subscription.Receive. */
  receive(signal: AbortSignal): Promise<ReceivedMessage>
}

/** An error message without the credentials of a broker URL (or of each of a comma-separated list). */
export function withoutSecrets(message: string, serverUrl: string): string {
  let out = message
  for (const text of serverUrl.split(',')) {
    let url: URL
    try {
      url = new URL(text.trim().includes('://') ? text.trim() : `nats://${text.trim()}`)
    } catch {
      continue
    }
    // the password, or a lone user name (NATS reads it as a token)
    const secret = url.password !== '' ? url.password : url.username
    for (const form of [secret, decodeURIComponent(secret)])
      if (form !== '') out = out.split(form).join('xxxxx')
  }
  return out
}

/** `work`, or the signal's reason once it aborts first. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
