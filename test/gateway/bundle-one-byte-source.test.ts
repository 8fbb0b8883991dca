// V8 keeps a script's source for lazy compilation as one string: one byte per character when every
// character is Latin-1 (up to U+00FF), two bytes for all of it when one is not. A single "μs" (Greek
// mu, U+03BC) in a regular expression once made every worker hold gateway.cjs's 0.86 MB of source as
// 1.72 MB (idle RSS +1 MB). esbuild escapes non-ASCII characters in strings but leaves regular
// expression literals as written, so the sources must spell such characters as \u escapes. Every
// file of the runtime is checked, the libraries' too (cel-js writes "µs", the Latin-1 micro sign,
// which costs nothing: measured, lazy/cel.cjs keeps the same heap with it as with "\u00b5s").
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { buildRuntimeBundle } from '../../src/image/bundle.ts'

const dir = mkdtempSync(join(tmpdir(), 'gw-one-byte-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** Each character of `text` beyond Latin-1 with the characters around it. */
function beyondLatin1(text: string): string[] {
  const found: string[] = []
  for (const match of text.matchAll(/[\u0100-\u{10ffff}]/gu)) {
    if (found.length === 5) break
    found.push(JSON.stringify(text.slice(Math.max(0, match.index - 40), match.index + 20)))
  }
  return found
}

test('every file of the runtime is Latin-1 only, so V8 keeps its source one byte per character', async () => {
  const bundle = await buildRuntimeBundle({ cacheDir: join(dir, 'cache'), force: true })
  assert.ok(bundle.files.length > 10, bundle.files.join(' '))
  for (const file of bundle.files) {
    const text = readFileSync(join(bundle.dir, file), 'utf8')
    assert.deepEqual(
      beyondLatin1(text),
      [],
      `${file} has characters beyond U+00FF (write them as \\u escapes)`,
    )
  }
})
