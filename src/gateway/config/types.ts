import type { Location } from '../../core/errors.ts'
import type { BackendComponents, EndpointComponents, ServiceComponents } from '../components/index.ts'

export type BackendEncoding = 'json' | 'safejson' | 'string' | 'no-op'
export type OutputEncoding = 'json' | 'json-collection' | 'string' | 'no-op'
export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL'
export type LogFormat = 'default' | 'json'

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

/** A backend after validation: defaults applied, hosts normalised to origins. */
export interface BackendConfig {
  urlPattern: string
  /** Origins (`http://host:port`), round-robin. */
  hosts: string[]
  method: HttpMethod
  encoding: BackendEncoding
  group?: string
  target?: string
  allow?: string[]
  deny?: string[]
  mapping?: Record<string, string>
  isCollection: boolean
  returnErrorCode: boolean
  /** Alias for `error_<alias>` in the body (backend/http.return_error_details). */
  returnErrorDetails?: string
  /** JSON path of this backend in the config, e.g. `endpoints[2].backend[0]`. */
  path: string
  /** KrakenD components configured on this backend (src/gateway/components). */
  components?: BackendComponents
}

export interface EndpointConfig {
  endpoint: string
  method: HttpMethod
  backends: BackendConfig[]
  inputHeaders: string[]
  inputQueryStrings: string[]
  outputEncoding: OutputEncoding
  concurrentCalls: number
  timeoutMs: number
  cacheTtlS: number
  sequential: boolean
  /** True when the endpoint passes a single backend's response through unchanged. */
  noop: boolean
  path: string
  /** KrakenD components configured on this endpoint (src/gateway/components). */
  components?: EndpointComponents
}

export interface RuntimeOptions {
  /** Worker processes; 0 = one per core. */
  workers: number
  drainGraceMs: number
  drainTimeoutMs: number
  /** 0 = no metrics listener. */
  metricsPort: number
  /** Where metrics listen; undefined follows the gateway's own listen IP. */
  metricsListenIp: string | undefined
}

export interface ServerOptions {
  readHeaderTimeoutMs: number
  readTimeoutMs: number
  writeTimeoutMs: number
  idleTimeoutMs: number
  maxHeaderBytes: number
  maxBodyBytes: number
  maxBackendBodyBytes: number
  returnErrorMsg: boolean
  disableAccessLog: boolean
  healthPath: string
}

export interface LoggingOptions {
  level: LogLevel
  format: LogFormat
  prefix: string
}

export interface GatewayConfig {
  version: 3
  name: string
  port: number
  listenIp: string
  timeoutMs: number
  cacheTtlS: number
  outputEncoding: OutputEncoding
  endpoints: EndpointConfig[]
  server: ServerOptions
  runtime: RuntimeOptions
  logging: LoggingOptions
  /** Source file, when loaded from one. */
  file?: string
  /** KrakenD components configured at service level (src/gateway/components). */
  components?: ServiceComponents
}

export type Locate = (path: ReadonlyArray<string | number>) => Location
