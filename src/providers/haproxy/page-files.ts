/**
 * Maintenance page files (`<token>.page` beside the map) that no haproxy.cfg names any more. A
 * page file is shared by every frontend serving the same page (the token is its digest: two
 * targets with the default page name one file), so whether one may go is decided from the configs
 * as they are on disk: the given ones (every instance of the target) and every `*.cfg` in the
 * page directory (another HAProxy's config kept beside them). A file any of them names stays, and
 * so does every file when one of them cannot be read.
 */
import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'

const PAGE_FILE = /gwdeploy-maintenance-[0-9a-f]{12}\.page/g

/** Removes the page files in `dir` no config names; returns the paths removed. */
export async function removeUnnamedPages(dir: string, configFiles: string[]): Promise<string[]> {
  const entries = await readdir(dir).catch(() => [] as string[])
  const pages = entries.filter((entry) => new RegExp(`^${PAGE_FILE.source}$`).test(entry))
  if (!pages.length) return []
  const configs = new Set([
    ...configFiles,
    ...entries.filter((entry) => entry.endsWith('.cfg')).map((entry) => join(dir, entry)),
  ])
  const named = new Set<string>()
  for (const config of configs) {
    let text: string
    try {
      text = await readFile(config, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
      return []
    }
    for (const match of text.matchAll(PAGE_FILE)) named.add(match[0])
  }
  const unnamed = pages.filter((page) => !named.has(page)).map((page) => join(dir, page))
  for (const file of unnamed) await rm(file, { force: true })
  return unnamed
}
