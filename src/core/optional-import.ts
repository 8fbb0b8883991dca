import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** `.ts` when running from sources (Node strips types), `.js` in the packed build (dist/). */
const SOURCE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js'

/**
 * Resolves a module path relative to src/core (without extension) to the file that exists in
 * this build, sources or dist. Used for entry files started as processes and for modules
 * owned by other parts of gwdeploy that may not be there in every build.
 */
export function resolveSibling(relativeNoExt: string): string | undefined {
  const file = fileURLToPath(new URL(`${relativeNoExt}${SOURCE_EXT}`, import.meta.url))
  return existsSync(file) ? file : undefined
}

export async function importOptional<T>(relativeNoExt: string): Promise<T | undefined> {
  const file = resolveSibling(relativeNoExt)
  if (!file) return undefined
  return (await import(file)) as T
}
