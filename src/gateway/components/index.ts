/**
 * KrakenD's security and traffic components, parsed at validation (config errors exit 2) and
 * compiled once per service, endpoint and backend at startup. The request path calls a compiled
 * hook only where a component is configured; everything else costs nothing.
 */

export { type BackendGuard, compileBackendGuard } from './backend-guard.ts'
export type { Outcome } from './circuit-breaker.ts'
export {
  compileEndpointGuard,
  compileEndpointResponder,
  compileServiceHooks,
  type EndpointGuard,
  type EndpointResponder,
  type ServiceHook,
  type ServiceHooks,
} from './hooks.ts'
export {
  type BackendComponents,
  checkComponents,
  type EndpointComponents,
  parseBackendComponents,
  parseEndpointComponents,
  parseServiceComponents,
  type ServiceComponents,
} from './parse.ts'
export type { GuardContext, Reply } from './types.ts'
