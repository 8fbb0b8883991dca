/**
 * Exact edits to dependencies' code as esbuild bundles the gateway runtime. Each applies only where
 * its text occurs exactly once. A newer dependency (the runtime is bundled from what the user's
 * install resolved) where it does not is bundled as written: correct, only larger. The tests check
 * that every patch matches the locked versions.
 */
import { readFile } from 'node:fs/promises'
import type { Plugin } from 'esbuild'

interface Patch {
  /** The module's path, matched against the end of the resolved file name. */
  file: RegExp
  from: string
  to: string
}

export const RUNTIME_PATCHES: readonly Patch[] = [
  // undici's Client loads its HTTP/2 client, and with it node:http2, tls and crypto (about 5 MB of
  // every worker), although backends are only spoken to over HTTP/1.1: loaded if a connection ever
  // negotiates h2.
  {
    file: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
    from: "const connectH2 = require('./client-h2.js')",
    to: "const connectH2 = (...args) => require('./client-h2.js')(...args)",
  },
  // prom-client's CPU metric loads the OpenTelemetry API for exemplars, which the gateway does not
  // enable: loaded if an exemplar is ever asked for.
  {
    file: /[\\/]prom-client[\\/]lib[\\/]metrics[\\/]processCpuTotal\.js$/,
    from: "const OtelApi = require('@opentelemetry/api');",
    to: "const OtelApi = new Proxy({}, { get: (_, key) => require('@opentelemetry/api')[key] });",
  },
]

/**
 * What undici's `require('node:assert')` gets in the runtime: its 34 modules only call `assert(value)`,
 * and loading node:assert (with its diff, colours and error-source helpers) costs every idle worker
 * about 0.3 MB. A falsy value still throws node:assert's AssertionError, loaded then; only the
 * generated message of a message-less assertion quotes this line instead of undici's.
 */
export const UNDICI_ASSERT = `"use strict";
let nodeAssert;
module.exports = function assert(value, message) {
  if (!value) (nodeAssert ??= require("node:assert"))(value, message);
};
`
const UNDICI_FILE = /[\\/]node_modules[\\/]undici[\\/]/

/** `source` with `patch` applied, or undefined unless its text occurs exactly once. */
export function applyPatch(source: string, patch: Patch): string | undefined {
  const at = source.indexOf(patch.from)
  if (at < 0 || source.indexOf(patch.from, at + 1) >= 0) return undefined
  return source.slice(0, at) + patch.to + source.slice(at + patch.from.length)
}

export function runtimePatches(patches: readonly Patch[] = RUNTIME_PATCHES): Plugin {
  return {
    name: 'gwdeploy-runtime-patches',
    setup(build) {
      build.onResolve({ filter: /^(node:)?assert$/ }, (args) =>
        args.namespace === 'file' && UNDICI_FILE.test(args.importer)
          ? { path: 'undici-assert', namespace: 'gwdeploy-undici-assert' }
          : undefined,
      )
      build.onLoad({ filter: /.*/, namespace: 'gwdeploy-undici-assert' }, () => ({
        contents: UNDICI_ASSERT,
        loader: 'js',
      }))
      for (const patch of patches)
        build.onLoad({ filter: patch.file }, async (args) => {
          const contents = applyPatch(await readFile(args.path, 'utf8'), patch)
          // Not matched: esbuild loads the file as it is.
          return contents === undefined ? undefined : { contents, loader: 'js' }
        })
    },
  }
}
