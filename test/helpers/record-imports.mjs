// Preloaded with `node --import`: writes every module URL the process loads to $GWDEPLOY_IMPORTS_FILE.
import { appendFileSync } from 'node:fs'
import { registerHooks } from 'node:module'

const out = process.env.GWDEPLOY_IMPORTS_FILE
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context)
    if (out) appendFileSync(out, `${result.url}\n`)
    return result
  },
})
