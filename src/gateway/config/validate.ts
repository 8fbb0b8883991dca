import type { Problem } from '../../core/errors.ts'
import { formatKeyPath, type KeyPath } from '../../core/source-text.ts'
import { readAsyncAgents } from '../async-agent/config.ts'
import { checkComponents } from '../components/index.ts'
import { isObject } from '../components/types.ts'
import { readEndpoints } from './endpoint-config.ts'
import { checkOptionsRoutes } from './endpoint-paths.ts'
import { createFieldReader } from './field-reader.ts'
import { numbersBeyondFloat64 } from './float64-range.ts'
import { readNamespaceAliases } from './namespace-aliases.ts'
import { readServiceConfig } from './service-config.ts'
import type { GatewayConfig, Locate } from './types.ts'
import { readWeakInput } from './weak-input.ts'

export { normaliseHost } from './backend-config.ts'
export { RESERVED_PATHS } from './endpoint-paths.ts'

export interface ValidateOptions {
  /** Source file name used in problem locations. */
  file?: string
  /** Maps a key path to file:line:column (from parseSourceDocument). */
  locate?: Locate
  /** `krakend`: the official KrakenD image runs the config, so KrakenD's namespaces are not refused. */
  runtime?: 'bundled' | 'krakend'
}

export interface ValidationResult {
  /** The normalised config; undefined when there are errors. */
  config: GatewayConfig | undefined
  errors: Problem[]
  warnings: Problem[]
}

/** Validates a parsed KrakenD v3 document. Pure: no I/O, never throws on bad input. */
export function validateGatewayConfig(value: unknown, options: ValidateOptions = {}): ValidationResult {
  const errors: Problem[] = []
  const warnings: Problem[] = []
  let written = (path: KeyPath) => path
  const where = (at: KeyPath) => {
    const path = written(at)
    if (options.locate) return options.locate(path)
    const keyPath = formatKeyPath(path)
    return { ...(options.file ? { file: options.file } : {}), ...(keyPath ? { path: keyPath } : {}) }
  }
  const error = (path: KeyPath, message: string, hint?: string) =>
    errors.push({ message, location: where(path), ...(hint ? { hint } : {}) })
  const warn = (path: KeyPath, message: string, hint?: string) =>
    warnings.push({ message, location: where(path), ...(hint ? { hint } : {}) })

  if (!isObject(value)) {
    error([], 'the gateway configuration must be an object with "version": 3 and "endpoints"')
    return { config: undefined, errors, warnings }
  }
  const report = { error, warn }
  for (const at of numbersBeyondFloat64(value))
    error(
      at,
      'a number beyond float64 (such as 1e400): KrakenD cannot read it and refuses the whole config file',
      'write the number you mean (1.7976931348623157e308 at most)',
    )
  // As KrakenD's decoder reads them: keys in another case, values of another type (weak-input.ts).
  const weak = readWeakInput(value)
  // KrakenD's image reads the long names itself; this runtime reads them under their short names.
  const aliased = options.runtime === 'krakend' ? undefined : readNamespaceAliases(weak.value, report)
  written = aliased ? (path) => weak.written(aliased.written(path)) : weak.written
  const doc = aliased?.value ?? weak.value
  const fields = createFieldReader(report, options.runtime)
  const service = readServiceConfig(doc, fields)
  const endpoints = readEndpoints(
    doc.endpoints,
    // gin registers the health path for GET only when the health endpoint is on.
    { ...service, healthPath: service.server.disableHealth ? '' : service.server.healthPath },
    fields,
  )
  if (service.server.autoOptions) checkOptionsRoutes(endpoints, error)
  const asyncAgents = readAsyncAgents(doc.async_agent, service, fields)

  const debugEndpoint = fields.boolAt(doc, 'debug_endpoint', [], false)
  const echoEndpoint = fields.boolAt(doc, 'echo_endpoint', [], false)
  const config: GatewayConfig = {
    version: 3,
    name: service.name,
    port: service.port,
    listenIp: service.listenIp,
    timeoutMs: service.timeoutMs,
    cacheTtlMs: service.cacheTtlMs,
    outputEncoding: service.outputEncoding,
    endpoints,
    debugEndpoint,
    echoEndpoint,
    server: service.server,
    runtime: service.runtime,
    transport: service.transport,
    ...(service.clientTls ? { clientTls: service.clientTls } : {}),
    logging: service.logging,
    ...(options.file ? { file: options.file } : {}),
    ...(service.components ? { components: service.components } : {}),
    ...(asyncAgents.length > 0 ? { asyncAgents } : {}),
  }
  // The checks across the whole config run on the parts that read well, beside any other problem:
  // every problem in one run.
  checkComponents(config, report)
  return { config: errors.length > 0 ? undefined : config, errors, warnings }
}
