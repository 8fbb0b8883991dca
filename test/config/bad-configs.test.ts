/**
 * The bad-input corpus: one directory per case under test/fixtures/config/bad/ with a
 * gwdeploy.yml, a gateway.json and expected.json:
 *   message   text the error (or one of its problems) contains
 *   file, line, column, path   where it must be located (a flag such as --sha for bad SHAs)
 *   args      the command to run (default: config validate; `-e env` is added for `env`)
 *   setup     what cannot be committed, made in the copy the case runs in:
 *             huge:FILE:BYTES, fifo:FILE, symlink-loop:FILE, directory:FILE
 * Every case runs on a fresh copy and must exit 2 with a located message, and change nothing.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
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
  args?: string[]
  setup?: string[]
  code?: string
}

const scratch = mkdtempSync(join(tmpdir(), 'gwd-bad-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

/** A fresh copy of the case with its generated files. */
function prepare(name: string, expected: Expected, run: string): string {
  const dir = join(scratch, `${name}-${run}`)
  cpSync(join(CORPUS, name), dir, { recursive: true })
  rmSync(join(dir, 'expected.json'))
  for (const step of expected.setup ?? []) {
    const [kind, file = '', bytes = '0'] = step.split(':')
    const path = join(dir, file)
    rmSync(path, { recursive: true, force: true })
    if (kind === 'huge') {
      const head = file.endsWith('.json') ? '{"version": 3, "@padding": "' : 'service: demo\n# '
      const tail = file.endsWith('.json') ? '", "endpoints": []}\n' : '\n'
      writeFileSync(path, head + 'x'.repeat(Number(bytes)) + tail)
    } else if (kind === 'fifo') execFileSync('mkfifo', [path])
    else if (kind === 'symlink-loop') symlinkSync(file, path)
    else if (kind === 'directory') mkdirSync(path)
    else throw new Error(`unknown setup ${step}`)
  }
  return dir
}

/** Every entry below dir with its type, size and mtime: "nothing changed" means this is equal after. */
function snapshot(dir: string): string[] {
  const out: string[] = []
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name)
      const stats = lstatSync(path)
      out.push(`${path.slice(dir.length)} ${stats.mode} ${stats.size} ${stats.mtimeMs}`)
      if (stats.isDirectory()) walk(path)
    }
  }
  walk(dir)
  return out
}

describe('the bad-input corpus: exit 2, a located message, nothing changed', () => {
  for (const name of readdirSync(CORPUS).sort()) {
    const expected = JSON.parse(readFileSync(join(CORPUS, name, 'expected.json'), 'utf8')) as Expected
    const args = [...(expected.args ?? ['config', 'validate']), ...(expected.env ? ['-e', expected.env] : [])]

    test(`${name}: exit 2 with the message and its location`, async () => {
      const dir = prepare(name, expected, 'json')
      const before = snapshot(dir)
      const result = await runCli([...args, '--json'], { cwd: dir })
      assert.equal(result.exitCode, 2, result.stderr)
      const body = envelope(result)
      assert.equal(body.status, 'error')
      assert.equal(body.error?.code, expected.code ?? 'config')
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
      if (expected.path?.startsWith('--')) assert.ok(match.message.includes(expected.path), match.message)
      else {
        assert.equal(
          location.file,
          expected.file ?? (expected.line !== undefined || expected.path ? 'gwdeploy.yml' : location.file),
        )
        if (expected.path !== undefined) assert.equal(location.path, expected.path)
      }
      if (expected.line !== undefined) assert.equal(location.line, expected.line)
      if (expected.column !== undefined) assert.equal(location.column, expected.column)
      assert.deepEqual(snapshot(dir), before, 'nothing changed')
    })

    test(`${name}: the human message names the place`, async () => {
      const dir = prepare(name, expected, 'human')
      const result = await runCli(args, { cwd: dir })
      assert.equal(result.exitCode, 2)
      assert.equal(result.stdout, '')
      assert.match(result.stderr, /^Error: /m)
      if (expected.line !== undefined) {
        const place = `${expected.file ?? 'gwdeploy.yml'}:${expected.line}${expected.column === undefined ? '' : `:${expected.column}`}`
        assert.ok(result.stderr.includes(place), `stderr does not name ${place}:\n${result.stderr}`)
      } else if (expected.path !== undefined) {
        assert.ok(
          result.stderr.includes(expected.path),
          `stderr does not name ${expected.path}:\n${result.stderr}`,
        )
      }
      assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace without DEBUG')
    })
  }
})
