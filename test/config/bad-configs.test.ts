import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { envelope, runCli } from '../helpers/cli.ts'

const CORPUS = fileURLToPath(new URL('../fixtures/config/bad/', import.meta.url))

interface Expected {
  message: string
  env?: string
  file?: string
  line?: number
  column?: number
  path?: string
}

describe('config validate on the bad-config corpus', () => {
  for (const name of readdirSync(CORPUS).sort()) {
    const dir = join(CORPUS, name)
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected
    const args = ['config', 'validate', ...(expected.env ? ['-e', expected.env] : [])]

    test(`${name}: exit 2 with the message and its location`, async () => {
      const result = await runCli([...args, '--json'], { cwd: dir })
      assert.equal(result.exitCode, 2, result.stderr)
      const body = envelope(result)
      assert.equal(body.status, 'error')
      assert.equal(body.error?.code, 'config')
      const candidates = [
        { message: body.error?.message ?? '', location: undefined as Record<string, unknown> | undefined },
        ...(body.error?.problems ?? []),
      ]
      const match = candidates.find((p) => p.message.includes(expected.message))
      assert.ok(
        match,
        `no problem mentions ${JSON.stringify(expected.message)}: ${JSON.stringify(body.error, null, 2)}`,
      )
      const location = match.location ?? (body.error as { location?: Record<string, unknown> }).location ?? {}
      assert.equal(
        location.file,
        expected.file ?? (expected.line !== undefined || expected.path ? 'gwdeploy.yml' : location.file),
      )
      if (expected.line !== undefined) assert.equal(location.line, expected.line)
      if (expected.column !== undefined) assert.equal(location.column, expected.column)
      if (expected.path !== undefined) assert.equal(location.path, expected.path)
    })

    test(`${name}: the human message names the place`, async () => {
      const result = await runCli(args, { cwd: dir })
      assert.equal(result.exitCode, 2)
      assert.equal(result.stdout, '')
      assert.match(result.stderr, /^Error: /)
      if (expected.line !== undefined) {
        const place = `${expected.file ?? 'gwdeploy.yml'}:${expected.line}${expected.column === undefined ? '' : `:${expected.column}`}`
        assert.ok(result.stderr.includes(place), `stderr does not name ${place}:\n${result.stderr}`)
      }
      assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace without DEBUG')
    })
  }
})
