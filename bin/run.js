#!/usr/bin/env node
import './node-guard.js'
import module from 'node:module'
import { useBundledDeps } from './bundled-deps.js'
import './closed-stdout.js'
import { printVersionEnvelope, versionAsJson } from './version-json.js'

// Reuses V8's compiled code across runs (Node >= 22.1): a CLI start-up is mostly module loading.
module.enableCompileCache?.()
useBundledDeps()

// oclif checks its `engines` (Node >= 22) with semver (~50 modules) on import; node-guard.js has
// already made sure of that.
const engineWarning = process.env.OCLIF_DISABLE_ENGINE_WARNING
process.env.OCLIF_DISABLE_ENGINE_WARNING = 'true'
if (versionAsJson(process.argv.slice(2))) printVersionEnvelope()
else {
  const { execute } = await import('@oclif/core')
  if (engineWarning === undefined) delete process.env.OCLIF_DISABLE_ENGINE_WARNING
  else process.env.OCLIF_DISABLE_ENGINE_WARNING = engineWarning
  await execute({ dir: import.meta.url })
}
