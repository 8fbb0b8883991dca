/**
 * lazy/components.cjs (src/gateway/lazy/components.ts) is bundled on its own, like the other lazy
 * files, but its modules import many that gateway.cjs already holds (go-json's GoNumber, which they
 * test with instanceof; libraries.ts with its caches; the request helpers). A second copy of those
 * would be a second class and a second cache, so they are not bundled into it: each becomes a read
 * of the running gateway.cjs's module from a registry, which gateway.cjs fills (the virtual module
 * `gwdeploy:shared-modules`, required by components/runtimes.ts before it loads the file).
 */
import { isAbsolute, relative, resolve } from 'node:path'
import type { Metafile, Plugin } from 'esbuild'

/** The global symbol the registry is kept under (components/runtimes.ts uses the same). */
const REGISTRY = "globalThis[Symbol.for('gwdeploy.runtime.sharedModules')]"
const SKIP = Symbol('resolving a shared module')

/** The absolute paths of every file bundled into an output (from esbuild's metafile). */
export function bundledFiles(metafile: Metafile, output: string): Set<string> {
  const inputs = Object.entries(metafile.outputs).find(([path]) => resolve(path) === output)?.[1].inputs ?? {}
  return new Set(
    Object.keys(inputs)
      .filter((path) => !/^[\w-]+:/.test(path))
      .map((path) => resolve(path)),
  )
}

/**
 * For the components bundle: an import of a file gateway.cjs holds (`shared`) reads gateway.cjs's
 * module instead; `used` collects them (key: the path relative to `root`). The plugin remembers what
 * each import resolved to, so the builds that use it after the first (the components are built twice,
 * component-chunks.ts) do not ask esbuild again: each such question is a round trip to its process.
 */
export function sharedModuleImports(shared: Set<string>, root: string, used: Map<string, string>): Plugin {
  const resolved = new Map<string, string | undefined>()
  return {
    name: 'gwdeploy-shared-imports',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === SKIP || args.kind === 'entry-point') return undefined
        const question = JSON.stringify([args.path, args.kind, args.importer, args.resolveDir])
        let key = resolved.get(question)
        if (!resolved.has(question)) {
          const found = await build.resolve(args.path, {
            kind: args.kind,
            importer: args.importer,
            resolveDir: args.resolveDir,
            pluginData: SKIP,
          })
          const isShared =
            found.errors.length === 0 && !found.external && isAbsolute(found.path) && shared.has(found.path)
          key = isShared ? relative(root, found.path) : undefined
          if (isShared) used.set(key as string, found.path)
          resolved.set(question, key)
        }
        return key === undefined ? undefined : { path: key, namespace: 'gwdeploy-shared' }
      })
      build.onLoad({ filter: /.*/, namespace: 'gwdeploy-shared' }, (args) => ({
        contents: `module.exports = ${REGISTRY}[${JSON.stringify(args.path)}]`,
        loader: 'js',
      }))
    },
  }
}

/** For gateway.cjs: `gwdeploy:shared-modules`, the registry of the modules in `used`. */
export function sharedModuleRegistry(used: Map<string, string>, root: string): Plugin {
  return {
    name: 'gwdeploy-shared-registry',
    setup(build) {
      build.onResolve({ filter: /^gwdeploy:shared-modules$/ }, () => ({
        path: 'shared-modules',
        namespace: 'gwdeploy-registry',
      }))
      build.onLoad({ filter: /.*/, namespace: 'gwdeploy-registry' }, () => ({
        contents: `module.exports = {\n${[...used]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, path]) => `  ${JSON.stringify(key)}: require(${JSON.stringify(path)}),`)
          .join('\n')}\n}\n`,
        loader: 'js',
        resolveDir: root,
      }))
    },
  }
}
