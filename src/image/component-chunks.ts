/**
 * lazy/components.cjs cut into chunks. src/gateway/lazy/components.ts lists the components only some
 * configs use, each as a `require` of its module; bundled whole, a config naming one component (JWT,
 * say) made its worker read and keep the source of all of them (448 KB for 50). Here each listed
 * module goes to a chunk of its own, `lazy/components-<name>.cjs`, and lazy/components.cjs becomes
 * an index whose functions require the chunk that holds the module asked for.
 *
 * Modules the listed ones share (jwt.ts and signer.ts both use jwks.ts) put them in the same chunk:
 * a module bundled into two chunks would be two modules at run time, with two caches and two classes.
 * The modules gateway.cjs holds are not in any chunk (shared-modules.ts).
 */
import { basename, relative, resolve } from 'node:path'
import type { Metafile, Plugin } from 'esbuild'

export interface ComponentChunk {
  /** The output's name under lazy/, without `.cjs`. */
  name: string
  /** The modules the entry lists that this chunk holds, in the entry's order. */
  modules: ListedModule[]
}

export interface ListedModule {
  /** Absolute path. */
  path: string
  /** As the entry's `require` names it. */
  specifier: string
}

/** A metafile path that is a file (not a plugin's virtual module such as `gwdeploy-shared:...`). */
const isFile = (path: string) => !/^[\w-]+:/.test(path)

/**
 * The chunks for `entry` (lazy/components.ts), from the metafile of a build of it: one per group of
 * listed modules that share a bundled file.
 */
export function componentChunks(metafile: Metafile, entry: string): ComponentChunk[] {
  const inputs = new Map(Object.entries(metafile.inputs).map(([path, input]) => [resolve(path), input]))
  const imports = (file: string) =>
    (inputs.get(file)?.imports ?? [])
      .filter((found) => !found.external && isFile(found.path))
      .map((found) => resolve(found.path))
  const listed: ListedModule[] = []
  for (const found of inputs.get(entry)?.imports ?? [])
    if (!found.external && isFile(found.path))
      listed.push({ path: resolve(found.path), specifier: found.original ?? found.path })
  // Union-find over the listed modules: two that reach a common file belong to one chunk.
  const parent = listed.map((_, i) => i)
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] as number
    return i
  }
  const reachedBy = new Map<string, number>()
  for (const [i, module] of listed.entries()) {
    const stack = [module.path]
    const seen = new Set<string>()
    while (stack.length > 0) {
      const file = stack.pop() as string
      if (seen.has(file)) continue
      seen.add(file)
      const other = reachedBy.get(file)
      if (other === undefined) reachedBy.set(file, i)
      else parent[root(other)] = root(i)
      stack.push(...imports(file))
    }
  }
  const chunks = new Map<number, ComponentChunk>()
  const names = new Set<string>()
  for (const [i, module] of listed.entries()) {
    const group = root(i)
    let chunk = chunks.get(group)
    if (chunk === undefined) {
      const base = `components-${basename(module.path).replace(/\.[cm]?[jt]s$/, '')}`
      let name = base
      for (let n = 2; names.has(name); n++) name = `${base}-${n}`
      names.add(name)
      chunk = { name, modules: [] }
      chunks.set(group, chunk)
    }
    chunk.modules.push(module)
  }
  return [...chunks.values()]
}

/** The key a module is known by in a chunk's exports: its path relative to `root`. */
const moduleKey = (root: string, module: string) => relative(root, module).split('\\').join('/')

/**
 * For the chunks' build: entry points `gwdeploy-chunk:<name>`, each exporting, per module it holds,
 * a function that evaluates the module (nothing runs when the chunk is loaded, so it loads on its own,
 * as the compile cache is warmed).
 */
export function componentChunkEntries(chunks: ComponentChunk[], root: string): Plugin {
  const byName = new Map(chunks.map((chunk) => [chunk.name, chunk]))
  return {
    name: 'gwdeploy-component-chunk-entries',
    setup(build) {
      build.onResolve({ filter: /^gwdeploy-chunk:/ }, (args) => ({
        path: args.path.slice('gwdeploy-chunk:'.length),
        namespace: 'gwdeploy-chunk',
      }))
      build.onLoad({ filter: /.*/, namespace: 'gwdeploy-chunk' }, (args) => ({
        contents: `module.exports = {\n${(byName.get(args.path)?.modules ?? [])
          .map(
            ({ path }) =>
              `  ${JSON.stringify(moduleKey(root, path))}: () => require(${JSON.stringify(path)}),`,
          )
          .join('\n')}\n}\n`,
        loader: 'js',
        resolveDir: root,
      }))
    },
  }
}

/** The chunks' entry points for esbuild's `entryPoints`. */
export const componentChunkEntryPoints = (chunks: ComponentChunk[]) =>
  Object.fromEntries(chunks.map((chunk) => [`lazy/${chunk.name}`, `gwdeploy-chunk:${chunk.name}`]))

/**
 * For the index's build (lazy/components.ts bundled as lazy/components.cjs): each module the entry
 * lists becomes a require of the chunk that holds it, left to Node (a path beside the index). Matched
 * by the entry's own specifiers, as the chunks' metafile recorded them.
 */
export function componentChunkIndex(chunks: ComponentChunk[], entry: string, root: string): Plugin {
  const listed = new Map(
    chunks.flatMap((chunk) =>
      chunk.modules.map((module) => [module.specifier, { chunk: chunk.name, module }]),
    ),
  )
  return {
    name: 'gwdeploy-component-chunk-index',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.namespace === 'gwdeploy-chunk-ref') return { path: args.path, external: true }
        const found =
          args.kind !== 'entry-point' && resolve(args.importer) === entry ? listed.get(args.path) : undefined
        if (found === undefined) return undefined
        // The key, not the absolute path: esbuild names the module by it in the output.
        return {
          path: moduleKey(root, found.module.path),
          namespace: 'gwdeploy-chunk-ref',
          pluginData: found.chunk,
        }
      })
      build.onLoad({ filter: /.*/, namespace: 'gwdeploy-chunk-ref' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(`./${args.pluginData}.cjs`)})[${JSON.stringify(args.path)}]()\n`,
        loader: 'js',
      }))
    },
  }
}
