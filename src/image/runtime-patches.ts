/**
 * Exact edits to dependencies' code as esbuild bundles the gateway runtime. Each must match once:
 * a dependency update that moves the code fails the build instead of silently dropping the edit.
 */
import { readFile } from 'node:fs/promises'
import type { Plugin } from 'esbuild'

interface Patch {
  /** The module's path, matched against the end of the resolved file name. */
  file: RegExp
  from: string
  to: string
  why: string
}

export const RUNTIME_PATCHES: readonly Patch[] = [
  {
    file: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
    from: "const connectH2 = require('./client-h2.js')",
    to: "const connectH2 = (...args) => require('./client-h2.js')(...args)",
    why:
      "undici's Client loads its HTTP/2 client, and with it node:http2, tls and crypto (~9 MB per worker), " +
      'although backends are only ever spoken to over HTTP/1.1; it is now loaded if a connection negotiates h2',
  },
  {
    file: /[\\/]prom-client[\\/]lib[\\/]metrics[\\/]processCpuTotal\.js$/,
    from: "const OtelApi = require('@opentelemetry/api');",
    to: "const OtelApi = new Proxy({}, { get: (_, key) => require('@opentelemetry/api')[key] });",
    why:
      "prom-client's CPU metric loads the OpenTelemetry API for exemplars, which the gateway does not enable; " +
      'it is now loaded if an exemplar is ever asked for',
  },
]

/** Applies `patch` to `source`; throws unless `from` occurs exactly once. */
export function applyPatch(source: string, patch: Patch, path: string): string {
  const at = source.indexOf(patch.from)
  if (at < 0 || source.indexOf(patch.from, at + 1) >= 0)
    throw new Error(
      `${path}: expected exactly one "${patch.from}" to patch (${patch.why}); the dependency changed, update src/image/runtime-patches.ts`,
    )
  return source.slice(0, at) + patch.to + source.slice(at + patch.from.length)
}

export function runtimePatches(patches: readonly Patch[] = RUNTIME_PATCHES): Plugin {
  return {
    name: 'gwdeploy-runtime-patches',
    setup(build) {
      for (const patch of patches)
        build.onLoad({ filter: patch.file }, async (args) => ({
          contents: applyPatch(await readFile(args.path, 'utf8'), patch, args.path),
          loader: 'js',
        }))
    },
  }
}
