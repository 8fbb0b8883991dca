import { after, before } from 'node:test'
import type { GatewayOptions } from '../../src/gateway/app.ts'
import {
  mustConfig,
  type RouteSpec,
  type Running,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

export interface GatewayFixtureOptions {
  /** Backends to start, by name, with their routes; the first is `backend`. Default: `{ api: {} }`. */
  backends?: Record<string, Record<string, RouteSpec>>
  /** Passed to startGateway. */
  options?: GatewayOptions
  /** Runs first, in the same hook (top-level before hooks do not wait for each other). */
  setUp?: () => Promise<void>
  /** Runs last, after the gateway and backends are closed, even when a start failed. */
  tearDown?: () => Promise<void>
}

/** What `gatewayWith` started; read it inside tests (it is filled by the `before` hook). */
export interface GatewayFixture {
  /** The first backend. */
  readonly backend: TestBackend
  /** Every backend, by name. */
  readonly backends: Readonly<Record<string, TestBackend>>
  readonly running: Running
  readonly url: string
}

/**
 * Registers, in the calling scope (file or describe), a `before` hook that starts the backends and
 * then a gateway on `configFor(backend, backends)`, and an `after` hook that closes them. What was
 * started is closed even when a later start throws.
 */
export function gatewayWith(
  configFor: (backend: TestBackend, backends: Record<string, TestBackend>) => unknown,
  { backends: routesByName = { api: {} }, options, setUp, tearDown }: GatewayFixtureOptions = {},
): GatewayFixture {
  const backends: Record<string, TestBackend> = {}
  let running: Running | undefined
  const started: Array<{ close(): Promise<void> }> = []
  const closeStarted = async () => {
    for (const item of started.splice(0).reverse()) await item.close()
  }
  before(async () => {
    if (tearDown) started.push({ close: tearDown })
    try {
      await setUp?.()
      for (const [name, routes] of Object.entries(routesByName)) {
        const backend = await startBackend(name, routes)
        started.push(backend)
        backends[name] = backend
      }
      running = await startGateway(mustConfig(configFor(firstBackend(), backends)), options)
      started.push(running)
    } catch (error) {
      await closeStarted()
      throw error
    }
  })
  after(closeStarted)
  const firstBackend = () => {
    const first = Object.values(backends)[0]
    if (!first) throw new Error('gatewayWith: no backend started yet (read it inside a test or hook)')
    return first
  }
  const mustRunning = () => {
    if (!running) throw new Error('gatewayWith: the gateway is not running (read it inside a test or hook)')
    return running
  }
  return {
    get backend() {
      return firstBackend()
    },
    backends,
    get running() {
      return mustRunning()
    },
    get url() {
      return mustRunning().url
    },
  }
}

/** What `rawGatewayWith` started; read it inside tests. */
export interface RawGatewayFixture {
  readonly raw: RawBackend
  readonly url: string
}

/**
 * `gatewayWith` for a raw backend (raw-backend.ts, which records requests as written): registers in
 * the calling scope the start of the raw backend and then of a gateway on `configFor(raw)`, and
 * their closing; the backend is closed also when the gateway fails to start. `bodies`: the raw
 * backend's answers by target prefix.
 */
export function rawGatewayWith(
  configFor: (raw: RawBackend) => unknown,
  bodies: Record<string, string> = {},
): RawGatewayFixture {
  let raw: RawBackend | undefined
  let running: Running | undefined
  before(async () => {
    const started = await startRawBackend(bodies)
    raw = started
    try {
      running = await startGateway(mustConfig(configFor(started)))
    } catch (error) {
      await started.close()
      throw error
    }
  })
  after(async () => {
    await running?.close()
    await raw?.close()
  })
  const must = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(`rawGatewayWith: the ${what} is not running (read it inside a test)`)
    return value
  }
  return {
    get raw() {
      return must(raw, 'raw backend')
    },
    get url() {
      return must(running, 'gateway').url
    },
  }
}

/**
 * `rawGatewayWith` a gateway answering error texts (router.return_error_msg) whose endpoints run a
 * `modifier/lua-proxy` pre script each, `[path, pre]`, before calling the raw backend's `/b`.
 */
export function luaPreGatewayWith(
  scripts: Array<[path: string, pre: string]>,
  { openLibs = true }: { openLibs?: boolean } = {},
): RawGatewayFixture {
  return rawGatewayWith((raw) => ({
    version: 3,
    extra_config: { router: { return_error_msg: true } },
    endpoints: scripts.map(([path, pre]) => ({
      endpoint: path,
      extra_config: { 'modifier/lua-proxy': openLibs ? { pre, allow_open_libs: true } : { pre } },
      backend: [{ host: [raw.origin], url_pattern: '/b' }],
    })),
  }))
}
