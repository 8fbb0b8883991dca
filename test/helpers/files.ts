// Files for tests: every regular file below a directory (for tests that look for what must not be
// written), and temp directories that do not outlive the test process.
import { mkdtempSync, rmSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Every regular file below `dir`, recursively, with its text (latin1: any bytes). */
export async function allFiles(dir: string): Promise<Array<{ path: string; text: string }>> {
  const out: Array<{ path: string; text: string }> = []
  for (const name of await readdir(dir)) {
    const path = join(dir, name)
    const info = await stat(path)
    if (info.isDirectory()) out.push(...(await allFiles(path)))
    else if (info.isFile()) out.push({ path, text: await readFile(path, 'latin1') })
  }
  return out
}

const madeDirs: string[] = []

/** A fresh directory under the system temp dir, removed when this test process exits (pass or fail). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  if (madeDirs.push(dir) === 1) {
    process.once('exit', () => {
      for (const made of madeDirs) rmSync(made, { recursive: true, force: true })
    })
  }
  return dir
}
