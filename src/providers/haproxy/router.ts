/**
 * The router side: every HAProxy instance (instance.ts). Across several instances a traffic switch
 * is all or nothing: when one instance fails, the ones already switched are put back before the
 * error is raised.
 */
import { readFile } from 'node:fs/promises'
import { GwError, isGwError, providerError } from '../../core/errors.ts'
import type { Colour, TrafficSample, Weights } from '../types.ts'
import { readMap } from './config-file.ts'
import {
  HaproxyInstance,
  type InstanceSpec,
  type InstanceView,
  type RouterSettings,
  unchanged,
} from './instance.ts'

export type { InstanceSpec, InstanceView, RouterSettings }
export { HaproxyInstance }

export class HaproxyRouter {
  readonly instances: HaproxyInstance[]

  constructor(specs: InstanceSpec[], settings: RouterSettings) {
    this.instances = specs.map((spec) => new HaproxyInstance(spec, settings))
  }

  /** Every instance's view, in order; throws on the first instance that cannot be used. */
  async views(): Promise<InstanceView[]> {
    return Promise.all(
      this.instances.map((instance) => instance.view().catch((error) => this.#unreachable(error))),
    )
  }

  /**
   * The views of the instances that answer, and the errors of those that cannot be reached, for
   * readers that show what they can (`status`). Throws when none answers, or on any other error (a
   * wrong map or backend is the configuration's fault, not one machine's).
   */
  async readableViews(): Promise<{ views: InstanceView[]; unreachable: GwError[] }> {
    const settled = await Promise.allSettled(this.instances.map((instance) => instance.view()))
    const views: InstanceView[] = []
    const unreachable: GwError[] = []
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled') views.push(outcome.value)
      else if (isGwError(outcome.reason) && typeof outcome.reason.details.unreachable === 'string')
        unreachable.push(outcome.reason)
      else throw outcome.reason
    }
    if (!views.length) this.#unreachable(unreachable[0])
    return { views, unreachable: unreachable.map((error) => this.#withWayOut(error)) }
  }

  /** One of several instances cannot be reached: say how to go on without it (all or none otherwise). */
  #unreachable(error: unknown): never {
    throw isGwError(error) ? this.#withWayOut(error) : error
  }

  #withWayOut(error: GwError): GwError {
    const name = error.details.unreachable
    if (typeof name !== 'string' || this.instances.length < 2) return error
    return new GwError(error.code, error.exitCode, error.message, {
      hint: `${error.hint ? `${error.hint} ` : ''}If ${name} is gone for good (its machine lost), remove its entry from provider.haproxy.instances: gwdeploy changes all listed instances or none, so until then no command switches the others.`,
      problems: error.problems,
      details: error.details,
      ...(error.location ? { location: error.location } : {}),
    })
  }

  /**
   * Sets the split on every instance, or on none: an instance that fails makes the ones
   * already switched (and itself) go back to their previous split before the error is raised.
   */
  async setWeights(weights: Weights, progress?: (message: string) => void): Promise<void> {
    const before = await this.views()
    const touched: Array<{ instance: HaproxyInstance; previous: Weights }> = []
    for (const [index, instance] of this.instances.entries()) {
      const previous = before[index]?.weights ?? { blue: 0, green: 0 }
      touched.push({ instance, previous })
      try {
        if (!sameWeights(previous, weights) || !sameWeights(await readMapFile(instance), weights))
          await instance.setWeights(weights, previous)
      } catch (error) {
        const putBack: string[] = []
        const failedPutBack: string[] = []
        if (unchanged.has(error as object)) touched.pop()
        for (const done of touched.reverse()) {
          try {
            await done.instance.setWeights(done.previous, weights)
            putBack.push(
              `${done.instance.name} (blue ${done.previous.blue}% / green ${done.previous.green}%)`,
            )
          } catch (undo) {
            failedPutBack.push(`${done.instance.name}: ${(undo as Error).message}`)
          }
        }
        const gw = error as Error & { hint?: string }
        throw providerError(`switching traffic failed on HAProxy ${instance.name}: ${gw.message}`, {
          hint: [
            putBack.length ? `Put back: ${putBack.join(', ')}.` : '',
            failedPutBack.length
              ? `COULD NOT put back ${failedPutBack.join('; ')} — the instances disagree; run \`gwdeploy status\` and \`gwdeploy rollback\`/\`promote\`.`
              : touched.length
                ? 'No instance was left switched.'
                : 'No instance was switched.',
            gw.hint ?? '',
          ]
            .filter(Boolean)
            .join(' '),
          details: { instance: instance.name, weights },
        })
      }
      progress?.(`${instance.name}: blue ${weights.blue}% / green ${weights.green}%`)
    }
  }

  /**
   * Drains the colour on every instance (no new requests) and waits, at most `drainMs`, for the
   * requests in flight there to finish.
   */
  async drain(
    colour: Colour,
    views: InstanceView[],
    drainMs: number,
    progress?: (message: string) => void,
  ): Promise<void> {
    for (const [index, instance] of this.instances.entries())
      await instance.drain(colour, (views[index] as InstanceView).servers[colour])
    const deadline = Date.now() + drainMs
    progress?.(`draining ${colour} on ${views.length} HAProxy instance(s)`)
    for (;;) {
      const sessions = await Promise.all(this.instances.map((instance) => instance.sessions(colour)))
      if (sessions.every((n) => n === 0) || Date.now() >= deadline) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** Requests and errors the colour's backend answered, summed over the instances (for the bake). */
  async traffic(colour: Colour): Promise<TrafficSample> {
    const samples = await Promise.all(this.instances.map((instance) => instance.traffic(colour)))
    return samples.reduce(
      (sum, s) => ({ requests: sum.requests + s.requests, errors: sum.errors + s.errors }),
      {
        requests: 0,
        errors: 0,
      },
    )
  }
}

const sameWeights = (a: Weights | undefined, b: Weights) => a?.blue === b.blue && a.green === b.green

async function readMapFile(instance: HaproxyInstance): Promise<Weights | undefined> {
  try {
    return readMap(await readFile(instance.spec.files.mapFile, 'utf8'))
  } catch {
    return undefined
  }
}
