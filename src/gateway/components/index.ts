/**
 * KrakenD's security and traffic components, parsed at validation (config errors exit 2) and
 * compiled once per service, endpoint and backend at startup. The request path calls a compiled
 * hook only where a component is configured; everything else costs nothing.
 */
import type { KeyPath } from '../../core/document.ts'
import type { BackendConfig, EndpointConfig, GatewayConfig } from '../config/types.ts'
import { Fields } from './fields.ts'
import { compileJwt, type JwtConfig, parseJwt } from './jwt.ts'
import {
  type GuardContext,
  type HeaderSink,
  type IncomingLike,
  isObject,
  type Reply,
  type Report,
} from './types.ts'

export type { GuardContext, Reply } from './types.ts'

export interface ServiceComponents {
  kind: 'service'
}
export interface EndpointComponents {
  kind: 'endpoint'
  jwt?: JwtConfig
}
export interface BackendComponents {
  kind: 'backend'
}

/** Reads the components in one extra_config; undefined when there are none. */
export function parseServiceComponents(
  extra: unknown,
  path: KeyPath,
  report: Report,
): ServiceComponents | undefined {
  if (!isObject(extra)) return undefined
  void path
  void report
  return undefined
}

export function parseEndpointComponents(
  extra: unknown,
  path: KeyPath,
  report: Report,
): EndpointComponents | undefined {
  if (!isObject(extra)) return undefined
  const out: EndpointComponents = { kind: 'endpoint' }
  let any = false
  const ns = (name: string) => new Fields(extra[name], [...path, name], report, name)
  if (extra['auth/validator'] !== undefined) {
    out.jwt = parseJwt(ns('auth/validator'))
    any = true
  }
  return any ? out : undefined
}

export function parseBackendComponents(
  extra: unknown,
  path: KeyPath,
  report: Report,
): BackendComponents | undefined {
  if (!isObject(extra)) return undefined
  void path
  void report
  return undefined
}

/** Runs before routing; may answer (a Reply) or add response headers through `res`. */
export type ServiceHook = (req: IncomingLike, res: HeaderSink) => Reply | undefined
/** Runs after the body is read and before any backend call; may answer instead of the backends. */
export interface EndpointGuard {
  needsBody: boolean
  run(req: IncomingLike, ctx: GuardContext): Promise<Reply | undefined>
}
/** Wraps each backend call: `before` may refuse it (an error message), `after` learns the outcome. */
export interface BackendGuard {
  before(): string | undefined
  after(ok: boolean): void
}

export function compileServiceHook(config: GatewayConfig): ServiceHook | undefined {
  void config
  return undefined
}

export function compileEndpointGuard(
  endpoint: EndpointConfig,
  log: (message: string) => void,
): EndpointGuard | undefined {
  const c = endpoint.components
  if (!c) return undefined
  const steps: Array<
    (req: IncomingLike, ctx: GuardContext) => Reply | undefined | Promise<Reply | undefined>
  > = []
  // KrakenD's order: bot detector, JWT, rate limit, then the proxy's JSON-schema validation.
  if (c.jwt)
    steps.push(compileJwt(c.jwt, endpoint, (m) => log(`[ENDPOINT: ${endpoint.endpoint}][JWTValidator] ${m}`)))
  if (steps.length === 0) return undefined
  return {
    needsBody: false,
    async run(req, ctx) {
      for (const step of steps) {
        const reply = await step(req, ctx)
        if (reply) return reply
      }
      return undefined
    },
  }
}

export function compileBackendGuard(backend: BackendConfig): BackendGuard | undefined {
  void backend
  return undefined
}
