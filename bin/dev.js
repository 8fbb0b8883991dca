#!/usr/bin/env node
// Runs the TypeScript sources directly (Node >= 23.6 strips types natively): no build step.
// oclif's own dev mode wants tsx or ts-node; instead we point its command and help paths at src/.
import './node-guard.js'
import './closed-stdout.js'
import { readFileSync } from 'node:fs'

import { printVersionEnvelope, versionAsJson } from './version-json.js'

if (versionAsJson(process.argv.slice(2))) printVersionEnvelope()
else {
  const { execute, settings } = await import('@oclif/core')
  settings.enableAutoTranspile = false
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  pjson.oclif.commands = './src/commands'
  pjson.oclif.helpClass = './src/cli/help.ts'
  pjson.oclif.hooks = { command_not_found: './src/cli/hooks/command-not-found.ts' }
  await execute({
    development: true,
    dir: import.meta.url,
    loadOptions: { root: new URL('..', import.meta.url).pathname, pjson, ignoreManifest: true },
  })
}
