// Points the imports of the dependencies every CLI start loads at the one-file bundles that
// `npm run build` makes of them in dist/vendor/ (scripts/bundle-cli-deps.ts). Reading and
// evaluating one file instead of hundreds (oclif alone is ~180 files) is most of `gwdeploy --help`.
// Without dist/vendor/ (a dev run after `tsc` alone) or before Node 22.15 (no module.registerHooks)
// nothing changes: node_modules is loaded as usual.
import { existsSync } from 'node:fs'
import module from 'node:module'

export const BUNDLED_DEPS = ['@oclif/core', 'yaml', 'zod']

/** The bundle's file name in dist/vendor/. */
export const bundleFileOf = (name) => `${name.replace('/', '+')}.cjs`

export function useBundledDeps() {
  if (typeof module.registerHooks !== 'function') return
  const bundles = new Map()
  for (const name of BUNDLED_DEPS) {
    const url = new URL(`../dist/vendor/${bundleFileOf(name)}`, import.meta.url)
    if (existsSync(url)) bundles.set(name, url.href)
  }
  if (bundles.size === 0) return
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      // Resolved first all the same: a missing package fails as it would, and other hooks see it.
      const resolved = nextResolve(specifier, context)
      const bundle = bundles.get(specifier)
      return bundle === undefined ? resolved : { ...resolved, url: bundle, format: 'commonjs' }
    },
  })
}
