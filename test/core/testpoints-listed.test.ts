/**
 * The test points are a contract between the CLI and the crash tests, listed in one place (the
 * comment of src/core/testpoints.ts, which the README's Development section points to): every point
 * the sources reach is listed there.
 */
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { it } from 'node:test'
import { ROOT } from './helpers/project.ts'

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? sources(join(dir, e.name)) : [join(dir, e.name)])),
  )
  return nested.flat().filter((file) => file.endsWith('.ts'))
}

it('every testPoint the sources reach is listed in testpoints.ts, which the README names', async () => {
  const listing =
    (await readFile(join(ROOT, 'src/core/testpoints.ts'), 'utf8')).split('export async')[0] ?? ''
  const reached = new Set<string>()
  for (const file of await sources(join(ROOT, 'src'))) {
    const text = await readFile(file, 'utf8')
    for (const [, point] of text.matchAll(/testPoint\(\s*['`]([^'`]+)['`]/g))
      reached.add((point ?? '').replace(/\$\{\w+\}/g, '<weight>'))
  }
  assert.ok(reached.size > 10, [...reached].join(' '))
  const unlisted = [...reached].filter(
    (point) => !new RegExp(`(^|[\\s,(])${point}([\\s,;.)]|$)`, 'm').test(listing),
  )
  assert.deepEqual(
    unlisted,
    [],
    `test points the testpoints.ts comment does not list: ${unlisted.join(', ')}`,
  )
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
  assert.match(readme, /GWDEPLOY_TEST_KILL_AT=<point>[\s\S]{0,300}src\/core\/testpoints\.ts/)
})
