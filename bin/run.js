#!/usr/bin/env node
import './node-guard.js'

const { execute } = await import('@oclif/core')
await execute({ dir: import.meta.url })
