/**
 * auth/revoker's Go net/rpc port: where a node takes revocations, so container providers publish it
 * next to the gateway's port. Imports no gateway code (the release engine reads it from the stamped
 * config); the config is read as the nodes read it (gateway-service-namespace.ts).
 */
import { configError, type GwError } from '../core/errors.ts'
import { serviceNamespace } from './gateway-service-namespace.ts'
import { jsonFoldedValue } from './json-keys.ts'

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The revoker's section and where it is in the gateway config, when there is one. */
function revokerSection(gatewayConfig: unknown): { at: string; section: unknown } | undefined {
  const found = serviceNamespace(gatewayConfig, 'auth/revoker')
  return found && { at: found.at, section: found.value }
}

/** The revoker port (0 = any free port), or undefined when the config has no revoker. */
export function revokerPort(gatewayConfig: unknown): number | undefined {
  const found = revokerSection(gatewayConfig)
  if (!found) return undefined
  // Read as the runtime reads it: KrakenD's encoding/json takes "Port" too.
  const port = isObject(found.section) ? jsonFoldedValue(found.section, 'port') : undefined
  return typeof port === 'number' && Number.isInteger(port) ? port : 0
}

/**
 * Why nodes in containers could not take revocations: a port left to chance inside each
 * container cannot be published, and one equal to the gateway's would keep the node from starting.
 */
export function revokerPortProblem(
  gatewayConfig: unknown,
  gatewayFile: string,
  fleetPort: number,
): GwError | undefined {
  const found = revokerSection(gatewayConfig)
  const port = revokerPort(gatewayConfig)
  if (!found || port === undefined) return undefined
  const location = { file: gatewayFile, path: `${found.at}.port` }
  if (port === 0)
    return configError(
      'auth/revoker has no fixed port: each container would take revocations on a port chosen at start that cannot be published',
      { location, hint: 'Set "port" in auth/revoker (KrakenD examples use 1234).' },
    )
  if (port === fleetPort)
    return configError(`auth/revoker's port ${port} is also fleet.port: the node could not listen on both`, {
      location,
      hint: 'Give auth/revoker a port of its own.',
    })
  return undefined
}
