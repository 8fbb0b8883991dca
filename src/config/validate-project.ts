import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import {
  MAX_GATEWAY_CONFIG_BYTES,
  parseSourceDocument,
  readConfigText,
  type SourceDocument,
} from '../core/document.ts'
import { configError, type Problem } from '../core/errors.ts'
import { locatedInProject } from '../core/project-location.ts'
import { classifyNamespace, forEachNamespace } from './gateway-namespaces.ts'
import { healthGateProblem } from './health-gate-check.ts'
import { loadConfig, resolveConfigPath } from './load.ts'
import { revokerPortProblem } from './revoker-port.ts'
import { checkStateDir } from './state-dir.ts'

export interface ValidationSummary {
  files: string[]
  service: string
  provider: string
  fleetSize: number
  gatewayConfig: string
}

/** `config validate`: the schema, plus the files the config points at. Imports no gateway code. */
export function validateProjectConfig(options: {
  cwd?: string
  file?: string
  env?: string
  environ?: NodeJS.ProcessEnv
}): ValidationSummary {
  const cwd = options.cwd ?? process.cwd()
  const loaded = loadConfig({ ...options, cwd })
  const gatewayConfig = resolveConfigPath(loaded, loaded.config.gateway.config)
  if (!existsSync(gatewayConfig)) {
    throw configError(`gateway.config points at ${loaded.config.gateway.config}, which does not exist`, {
      location: { file: relative(cwd, loaded.files[0] ?? ''), path: 'gateway.config' },
      hint: 'Fix the path (relative to gwdeploy.yml), or run `gwdeploy init` to write a starter gateway.json.',
    })
  }
  checkStateDir(resolve(loaded.dir, loaded.config.provider.local.stateDir), loaded.files[0] ?? 'gwdeploy.yml')
  // Local nodes always run our runtime; image providers run image.runtime.
  const runtime = loaded.config.provider.kind === 'local' ? 'bundled' : loaded.config.image.runtime
  const shown = relative(cwd, gatewayConfig) || gatewayConfig
  const doc = parseSourceDocument(readConfigText(gatewayConfig, shown, MAX_GATEWAY_CONFIG_BYTES), shown)
  const unpassable = healthGateProblem(loaded.config, runtime, doc.value, shown)
  if (unpassable) throw locatedInProject(unpassable, loaded.locate)
  const unpublishable =
    loaded.config.provider.kind !== 'local' && revokerPortProblem(doc.value, shown, loaded.config.fleet.port)
  if (unpublishable) throw unpublishable
  refuseUnenforcedNamespaces(doc, runtime)
  return {
    files: loaded.files.map((f) => relative(cwd, f) || f),
    service: loaded.config.service,
    provider: loaded.config.provider.kind,
    fleetSize: loaded.config.fleet.size,
    gatewayConfig: relative(cwd, gatewayConfig),
  }
}

/** A component the chosen runtime would not enforce stops here, before anything is built or run. */
function refuseUnenforcedNamespaces(doc: SourceDocument, runtime: 'bundled' | 'krakend'): void {
  const file = doc.file
  const problems: Problem[] = []
  forEachNamespace(doc.value, (namespace, level, keyPath) => {
    const verdict = classifyNamespace(namespace, level, runtime)
    if (verdict.kind === 'error')
      problems.push({ message: verdict.message, location: doc.locate(keyPath), hint: verdict.hint })
  })
  if (problems.length > 0)
    throw configError(
      `${file}: ${problems.length} extra_config namespace${problems.length === 1 ? '' : 's'} the ${runtime === 'krakend' ? 'KrakenD' : 'gateway'} runtime would not enforce`,
      { problems, hint: '`gwdeploy gateway check -c FILE` shows every problem of the gateway config' },
    )
}
