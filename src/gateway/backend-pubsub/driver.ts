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

/** An error message without the credentials of a broker URL. */
export function withoutSecrets(message: string, serverUrl: string): string {
  let out = message
  try {
    const url = new URL(serverUrl)
    for (const secret of [url.password, decodeURIComponent(url.password)])
      if (secret !== '') out = out.split(secret).join('xxxxx')
  } catch {
    // not a URL: nothing to take out
  }
  return out
}

/** A broker URL as logs may show it: the password replaced. */
export function redactedUrl(serverUrl: string): string {
  try {
    const url = new URL(serverUrl)
    if (url.password !== '') url.password = 'xxxxx'
    return url.toString()
  } catch {
    return '(unparsable URL)'
  }
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
