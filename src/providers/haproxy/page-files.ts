/**
 * Maintenance page files (`<token>.page` beside the map): written before their rules, and removed
 * once no haproxy.cfg names them any more. A
 * page file is shared by every frontend serving the same page (the token is its digest: two
 * targets with the default page name one file), so whether one may go is decided from the configs
 * as they are on disk: the given ones (every instance of the target) and every `*.cfg` in the
 * page directory (another HAProxy's config kept beside them). A file any of them names stays, and
 * so does every file when one of them cannot be read.
 */
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { MaintenancePage } from '../types.ts'
import { pageFile, pageToken } from './maintenance.ts'

const PAGE_FILE = /gwdeploy-maintenance-[0-9a-f]{12}\.page/g

/** Writes each page's file beside the map `mapFile` (one already there whole is left as it is). */
export async function writePageFiles(mapFile: string, pages: MaintenancePage[]): Promise<void> {
  for (const page of pages) {
    const file = pageFile(mapFile, pageToken(page))
    const whole = await stat(file).then(
      (s) => s.size === Buffer.byteLength(page.body),
      () => false,
    )
    if (whole) continue
    await writeFile(`${file}.tmp`, page.body, { mode: 0o644 })
    await rename(`${file}.tmp`, file)
  }
}

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
