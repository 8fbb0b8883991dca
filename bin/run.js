#!/usr/bin/env node
import './node-guard.js'
import module from 'node:module'
import { useBundledDeps } from './bundled-deps.js'
import { printVersionEnvelope, versionAsJson } from './version-json.js'

// Reuses V8's compiled code across runs (Node >= 22.1): a CLI start-up is mostly module loading.
module.enableCompileCache?.()
useBundledDeps()

// oclif checks its `engines` (Node >= 22) with semver (~50 modules) on import; node-guard.js has
// already made sure of that.
const engineWarning = process.env.OCLIF_DISABLE_ENGINE_WARNING
process.env.OCLIF_DISABLE_ENGINE_WARNING = 'true'
// `gwdeploy ... | head -c1`: the reader of stdout went away. What is left to print is dropped and the
// run ends with its own exit code (unhandled, EPIPE ended it with a stack trace, or with 13 while
// oclif waited for a 'drain' that never comes). A running --watch or -f stops (see BaseCommand).
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error
  process.stdout.write = (_chunk, encoding, callback) => {
    const done = typeof encoding === 'function' ? encoding : callback
    if (done) process.nextTick(done)
    return true
  }
  // Whoever waits for the stream to drain (oclif's flush at the end) waits no longer.
  process.stdout.emit('drain')
})
if (versionAsJson(process.argv.slice(2))) printVersionEnvelope()
else {
  const { execute } = await import('@oclif/core')
  if (engineWarning === undefined) delete process.env.OCLIF_DISABLE_ENGINE_WARNING
  else process.env.OCLIF_DISABLE_ENGINE_WARNING = engineWarning
  await execute({ dir: import.meta.url })
}
