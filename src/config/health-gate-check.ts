/**
 * The health gate probes `health.path` on every green node and, with `health.expectName`, wants the
 * stamped config name back: only the gateway's own health endpoint answers that. A gwdeploy.yml and
 * gateway config that disagree would fail every node's gate after the image is built and the fleet
 * started, so `config validate` and `release` refuse them first. Imports no gateway code.
 */
import { configError, type GwError } from '../core/errors.ts'
import { serviceNamespace } from './gateway-service-namespace.ts'
import { jsonFoldedValue } from './json-keys.ts'
import type { GwConfig } from './schema.ts'

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Where the gateway config serves its health endpoint, as lura reads it; undefined when disabled. */
function gatewayHealthPath(gatewayConfig: unknown): string | undefined {
  const router = serviceNamespace(gatewayConfig, 'router')?.value
  if (!isObject(router)) return '/__health'
  // lura decodes these with encoding/json: "Disable_Health" and "Health_Path" count.
  if (jsonFoldedValue(router, 'disable_health') === true) return undefined
  const path = jsonFoldedValue(router, 'health_path')
  return typeof path === 'string' && path !== '' ? path : '/__health'
}

/** Why the health gate could never pass with this pair of configs, or undefined when it can. */
export function healthGateProblem(
  config: GwConfig,
  runtime: 'bundled' | 'krakend',
  gatewayConfig: unknown,
  gatewayFile: string,
): GwError | undefined {
  const { path, expectName } = config.health
  if (!expectName) return undefined
  const at = { location: { file: 'gwdeploy.yml', path: 'health.expectName' } }
  if (runtime === 'krakend')
    return configError(
      "image.runtime: krakend cannot pass the health gate with health.expectName: true: KrakenD's /__health reports no config name",
      {
        ...at,
        hint: 'Set health.expectName: false to gate on status alone, or use image.runtime: bundled (our runtime reports the stamped name).',
      },
    )
  const served = gatewayHealthPath(gatewayConfig)
  if (served === undefined)
    return configError(
      `${gatewayFile} turns its health endpoint off (extra_config.router.disable_health), so no node could pass the health gate`,
      {
        ...at,
        hint: 'Remove router.disable_health, or set health.expectName: false and point health.path at an endpoint that answers 200.',
      },
    )
  if (served !== path)
    return configError(
      `health.path is ${path}, but ${gatewayFile} serves its health endpoint at ${served}: no node could pass the health gate`,
      {
        location: { file: 'gwdeploy.yml', path: 'health.path' },
        hint: `Set health.path: ${served} in gwdeploy.yml${served === '/__health' ? '' : ', or remove router.health_path from the gateway config'}.`,
      },
    )
  return undefined
}
