#!/usr/bin/env node
import './node-guard.js'
import module from 'node:module'

// Reuses V8's compiled code across runs (Node >= 22.1): a CLI start-up is mostly module loading.
module.enableCompileCache?.()

const { execute } = await import('@oclif/core')
await execute({ dir: import.meta.url })
