/** Drives the release engine in-process against a FakeProvider: a temp project, a collecting reporter, results and exit codes. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type GwConfigInput, gwConfigSchema } from '../../../src/config/schema.ts'
import type { EngineContext } from '../../../src/core/engine.ts'
import { isGwError } from '../../../src/core/errors.ts'
import type { EngineEvent, Reporter } from '../../../src/core/events.ts'
import type { Target } from '../../../src/core/target.ts'
import { FakeProvider, FakeWorld } from './fake-provider.ts'
import { GATEWAY_CONFIG } from './project.ts'

// The fake runs no gateway: any existing file stands in for the runtime entry.
process.env.GWDEPLOY_GATEWAY_ENTRY = fileURLToPath(import.meta.url)

export interface Outcome<T> {
  result?: T
  error?: Error
  code: number
  events: EngineEvent[]
}

export interface Harness {
  dir: string
  world: FakeWorld
  provider: FakeProvider
  target: Target
  /** Runs one engine command to its end; `abort` gets the controller (to interrupt it). */
  run<T>(fn: (ctx: EngineContext) => Promise<T>, controller?: AbortController): Promise<Outcome<T>>
  /** Starts a command and leaves it running (a crash: it never finishes). */
  start<T>(fn: (ctx: EngineContext) => Promise<T>): { events: EngineEvent[]; done: Promise<T> }
  cleanup(): Promise<void>
}

export const sha = (n: number) => n.toString(16).padStart(2, '0').repeat(20)

export const FAST: GwConfigInput = {
  service: 'fake',
  fleet: { size: 2 },
  health: { interval: '20ms', timeout: '500ms', rise: 1, deadline: '1s' },
  shift: { strategy: 'steps', steps: [10, 50, 100], bake: '60ms' },
  lock: { ttl: '1s' },
}

function collecting(): { reporter: Reporter; events: EngineEvent[] } {
  const events: EngineEvent[] = []
  return { events, reporter: { emit: (event) => events.push(event), close() {} } }
}

export async function makeHarness(overrides: Partial<GwConfigInput> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'gwd-core-'))
  await writeFile(join(dir, 'gateway.json'), JSON.stringify({ ...GATEWAY_CONFIG, name: 'fake' }))
  const world = new FakeWorld()
  const provider = new FakeProvider(world)
  const config = gwConfigSchema.parse({ ...FAST, ...overrides })
  const target: Target = {
    config,
    dir,
    env: undefined,
    files: [],
    stateDir: join(dir, '.gwdeploy'),
    provider,
  }
  const contextOf = (signal: AbortSignal, reporter: Reporter): EngineContext => ({ target, reporter, signal })
  return {
    dir,
    world,
    provider,
    target,
    async run(fn, controller = new AbortController()) {
      const { reporter, events } = collecting()
      try {
        const result = await fn(contextOf(controller.signal, reporter))
        return { result, code: 0, events }
      } catch (error) {
        return { error: error as Error, code: isGwError(error) ? error.exitCode : 1, events }
      }
    },
    start(fn) {
      const { reporter, events } = collecting()
      const done = fn(contextOf(new AbortController().signal, reporter))
      done.catch(() => {})
      return { events, done }
    },
    async cleanup() {
      await world.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export const messages = (events: EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'info' || e.type === 'warn' ? [e.message] : []))
