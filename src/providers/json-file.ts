// The JSON files providers keep their state in: written whole (temp file, then rename) and read
// back strictly, a torn file named instead of read as "nothing there".
import { readFile, rename, writeFile } from 'node:fs/promises'
import { providerError } from '../core/errors.ts'

/** Write to a temp file then rename: readers see the old or the new file, never half of one. */
export async function writeTextAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  await writeFile(tmp, text, { mode: 0o600 })
  await rename(tmp, file)
}

export const writeJsonAtomic = (file: string, value: unknown): Promise<void> =>
  writeTextAtomic(file, `${JSON.stringify(value, null, 2)}\n`)

/** What to say about a state file that does not parse: whose it is, and how to recover. */
export interface CorruptFileAdvice {
  provider: string
  hint: string
}

/** The file's JSON, undefined when there is no file; a file that does not parse is exit 6. */
export async function readJsonFile<T>(file: string, advice: CorruptFileAdvice): Promise<T | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    return JSON.parse(text) as T
  } catch (error) {
    // A torn record would read as "nothing there": nodes would be orphaned, or a serving colour
    // would look empty.
    throw providerError(`${advice.provider}: state file ${file} is corrupt (${(error as Error).message})`, {
      hint: advice.hint,
    })
  }
}
