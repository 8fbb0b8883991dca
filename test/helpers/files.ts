// Every regular file below a directory, for tests that look for what must not be written.
import { readdir, readFile, stat } from 'node:fs/promises'
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
