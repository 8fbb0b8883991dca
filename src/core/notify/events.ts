/**
 * Engine events -> the notifications that matter. A subscriber: it watches the reporter's event
 * stream and the command's outcome; the engine itself knows nothing about notifications.
 */
import type { NotifyEvent } from '../../config/notify.ts'
import type { Colour, Weights } from '../../providers/types.ts'
import type { EngineEvent } from '../events.ts'
import { ExitCode } from '../exit-codes.ts'

export interface Notification {
  event: NotifyEvent
  /** The command: release, rollback, promote, retire, destroy. */
  operation: string
  service: string
  env?: string | undefined
  provider: string
  sha?: string | undefined
  configName?: string | undefined
  colour?: Colour | undefined
  weights?: Weights | undefined
  /** One line for a person. */
  message: string
  time: string
}

export interface NotificationContext {
  operation: string
  service: string
  env: string | undefined
  provider: string
  sha?: string | undefined
}

/** What release/rollback/promote return (ReleaseResult) and retire returns, as far as notifications care. */
interface Outcome {
  status?: string
  sha?: string
  configName?: string
  colour?: Colour
  weights?: Weights
  retired?: { colour: Colour; sha: string; nodes: number } | null
}

const split = (w: Weights) => `blue ${w.blue}% / green ${w.green}%`

export class NotificationTranslator {
  readonly #context: NotificationContext
  readonly #send: (notification: Notification) => void
  #started = false
  #weights: Weights | undefined
  #baking = false

  constructor(context: NotificationContext, send: (notification: Notification) => void) {
    this.#context = context
    this.#send = send
  }

  #emit(event: NotifyEvent, message: string, facts: Partial<Notification> = {}): void {
    const { operation, service, env, provider, sha } = this.#context
    this.#send({
      event,
      operation,
      service,
      ...(env ? { env } : {}),
      provider,
      ...(sha ? { sha } : {}),
      ...facts,
      message: `${service}${env ? ` (${env})` : ''}: ${message}`,
      time: new Date().toISOString(),
    })
  }

  #baked(): void {
    if (!this.#baking) return
    this.#baking = false
    this.#emit('baked', `baked at ${this.#weights ? split(this.#weights) : 'the current split'}`, {
      ...(this.#weights ? { weights: this.#weights } : {}),
    })
  }

  observe(event: EngineEvent): void {
    const sha7 = this.#context.sha?.slice(0, 7)
    if (event.type === 'step' && event.step === 'lock' && event.status === 'done' && !this.#started) {
      this.#started = true
      this.#emit(
        'started',
        `${this.#context.operation}${sha7 ? ` of ${sha7}` : ''} started on ${this.#context.provider}`,
      )
    } else if (event.type === 'step' && event.step === 'verify' && event.status === 'done') {
      this.#emit('gate.passed', 'the new colour passed its health gate')
    } else if (event.type === 'step' && event.step === 'verify' && event.status === 'failed') {
      this.#emit('gate.failed', `health gate failed: ${event.detail ?? 'unknown reason'}`)
    } else if (event.type === 'progress' && event.step === 'shift' && event.message.startsWith('baking')) {
      this.#baking = true
    } else if (event.type === 'weights') {
      this.#baked()
      const weights = { blue: event.weights.blue ?? 0, green: event.weights.green ?? 0 }
      this.#weights = weights
      this.#emit('shift', `traffic now ${split(weights)}`, { weights })
    } else if (event.type === 'step' && event.step === 'shift') {
      if (event.status === 'done') this.#baked()
      else if (event.status === 'failed') this.#baking = false
    }
  }

  /** The command succeeded with this result. */
  finished(result: unknown): void {
    const outcome = (result ?? {}) as Outcome
    const facts: Partial<Notification> = {
      ...(outcome.sha ? { sha: outcome.sha } : {}),
      ...(outcome.configName ? { configName: outcome.configName } : {}),
      ...(outcome.colour ? { colour: outcome.colour } : {}),
      ...(outcome.weights ? { weights: outcome.weights } : {}),
    }
    const what =
      `${outcome.sha?.slice(0, 7) ?? ''}${outcome.configName ? ` "${outcome.configName}"` : ''}`.trim()
    const done = outcome.status === 'released' || outcome.status === 'switched'
    switch (this.#context.operation) {
      case 'release':
        if (done) this.#emit('live', `${what} is live on ${outcome.colour}`, facts)
        break
      case 'rollback':
        if (done) this.#emit('rolled_back', `rolled back: ${what} is live on ${outcome.colour}`, facts)
        break
      case 'promote':
        if (outcome.weights)
          this.#emit('promoted', `promoted ${what}: traffic ${split(outcome.weights)}`, facts)
        break
      case 'retire':
        if (outcome.retired)
          this.#emit('retired', `retired ${outcome.retired.colour} (${outcome.retired.sha.slice(0, 7)})`, {
            colour: outcome.retired.colour,
            sha: outcome.retired.sha,
          })
        break
    }
  }

  /**
   * The command failed: before it took the lock it changed nothing on the target (bad flags or
   * config, lock held, frozen, interrupted while waiting) and is `refused`; after, a bake failure
   * that reverted traffic is a rollback, a release live but unfinished is live, anything else a failure.
   */
  failed(error: { message: string; exitCode: number }): void {
    if (!this.#started) {
      const sha7 = this.#context.sha?.slice(0, 7)
      this.#emit(
        'refused',
        `${this.#context.operation}${sha7 ? ` of ${sha7}` : ''} did not start (exit ${error.exitCode}): ${error.message}; nothing was changed on the target`,
      )
      return
    }
    // Exit 8: traffic moved and stays; what did not finish is in the message.
    if (error.exitCode === ExitCode.live) this.#emit('live', error.message)
    else if (error.exitCode === ExitCode.rolledBack)
      this.#emit('rolled_back', `${this.#context.operation} rolled back automatically: ${error.message}`)
    else this.#emit('failed', `${this.#context.operation} failed (exit ${error.exitCode}): ${error.message}`)
  }
}
