/**
 * A service-level extra_config namespace of a gateway config as the runtime reads it (so the CLI and
 * the nodes agree): "Extra_Config" in another case is read as extra_config (KrakenD's decoder, see
 * weak-input.ts), and a namespace under KrakenD CE's long name when its short name is absent.
 */
import { readWeakInput } from '../gateway/config/weak-input.ts'
import { ceLongNamespace } from './gateway-namespaces.ts'

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export interface ServiceNamespace {
  value: unknown
  /** Its key path as written in the file, dotted (`extra_config.auth/revoker`). */
  at: string
}

export function serviceNamespace(gatewayConfig: unknown, name: string): ServiceNamespace | undefined {
  if (!isObject(gatewayConfig)) return undefined
  const weak = readWeakInput(gatewayConfig)
  const extra = weak.value.extra_config
  if (!isObject(extra)) return undefined
  const key =
    extra[name] !== undefined ? name : Object.keys(extra).find((written) => ceLongNamespace(written) === name)
  if (key === undefined) return undefined
  return { value: extra[key], at: weak.written(['extra_config', key]).join('.') }
}
