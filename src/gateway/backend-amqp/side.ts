// What krakend-amqp's consumer and producer share: the broker session they hold, dialled at start and
// again, in the background, after the first request that finds it closed.

import type { ConnectionOptions } from 'node:tls'
import type { AmqpBroker } from './broker-url.ts'
import type { AmqpDeclaration } from './config.ts'
import { type AmqpLog, type Dialled, dialWithRetries, errorText, hangUp } from './connection.ts'

export abstract class AmqpSide<Config extends AmqpDeclaration> {
  protected readonly broker: AmqpBroker
  protected readonly cfg: Config
  protected readonly log: AmqpLog
  protected readonly prefix: string
  readonly #tls: (() => ConnectionOptions) | undefined
  protected dialled: Dialled | undefined
  protected stopped = false
  #reconnecting = false

  constructor(broker: AmqpBroker, cfg: Config, log: AmqpLog, prefix: string, tls?: () => ConnectionOptions) {
    this.broker = broker
    this.cfg = cfg
    this.log = log
    this.prefix = prefix
    this.#tls = tls
  }

  /** krakend-amqp's start: three attempts, 1 s apart; a failure leaves requests to reconnect. */
  protected connectAtStart(): Promise<void> {
    return this.#connect(3, '', false)
  }

  /** Dials again in the background (max_retries, backoff_strategy), unless already under way or stopped. */
  protected reconnect(): void {
    if (this.#reconnecting || this.stopped) return
    this.#reconnecting = true
    const retries = this.cfg.maxRetries > 0 ? this.cfg.maxRetries : Number.MAX_SAFE_INTEGER
    void this.#connect(retries, this.cfg.backoff, true)
  }

  /** How a failed dial is logged: krakend-amqp's consumer at debug level, its producer as an error. */
  protected abstract readonly dialFailureLevel: 'debug' | 'error'

  /** Declares what this side needs on a fresh session (which now is `this.dialled`). */
  protected abstract attach(dialled: Dialled, where: string): Promise<void>

  async #connect(attempts: number, backoff: string, waitFirst: boolean): Promise<void> {
    const where = `${this.broker.shown}/${this.cfg.name}`
    try {
      let dialled: Dialled
      try {
        dialled = await dialWithRetries(
          this.broker,
          this.#tls,
          attempts,
          backoff,
          waitFirst,
          () => this.stopped,
          this.log,
          this.prefix,
        )
      } catch (error) {
        this.log[this.dialFailureLevel](
          `${this.prefix} getting the channel for ${where}: ${errorText(error)}`,
        )
        return
      }
      if (this.stopped) return void (await hangUp(dialled))
      await hangUp(this.dialled)
      this.dialled = dialled
      await this.attach(dialled, where)
    } finally {
      this.#reconnecting = false
    }
  }
}
