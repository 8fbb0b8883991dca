// V8 keeps a script's source for lazy compilation as one string: one byte per character when every
// character is Latin-1, two bytes for all of it when one is not. A single "µs" in a regular
// expression once made every worker hold gateway.cjs's 0.86 MB of source as 1.72 MB (idle RSS
// +1 MB). esbuild escapes non-ASCII characters in strings but leaves regular expression literals as
// written, so the sources must spell such characters as \u escapes.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { buildRuntimeBundle } from '../../src/image/bundle.ts'

const dir = mkdtempSync(join(tmpdir(), 'gw-one-byte-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** Each non-ASCII character of `text` with the characters around it. */
function nonAscii(text: string): string[] {
  const found: string[] = []
  for (const match of text.matchAll(/\P{ASCII}/gu)) {
    if (found.length === 5) break
    found.push(JSON.stringify(text.slice(Math.max(0, match.index - 40), match.index + 20)))
  }
  return found
}

test('gateway.cjs and lazy/components.cjs (our code) are ASCII only, so V8 keeps their source one byte per character', async () => {
  const bundle = await buildRuntimeBundle({ cacheDir: join(dir, 'cache'), force: true })
  for (const file of ['gateway.cjs', 'lazy/components.cjs']) {
    const text = readFileSync(join(bundle.dir, file), 'utf8')
    assert.deepEqual(nonAscii(text), [], `${file} has non-ASCII characters (write them as \\u escapes)`)
  }
})
