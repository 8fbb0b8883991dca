/**
 * oclif.manifest.json (written by `npm run build` and prepack) is what `gwdeploy --help` and command
 * lookup read instead of importing every command: it must describe the commands in src/commands.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { pathToFileURL } from 'node:url'
import type { Command } from '@oclif/core'
import { REPO_ROOT } from '../helpers/cli.ts'

interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  examples?: unknown[]
  flags: Record<string, { name: string; type: string; required?: boolean; options?: string[] }>
  args: Record<string, unknown>
}

const commandsDir = `${REPO_ROOT}src/commands/`

test('oclif.manifest.json lists exactly the commands, flags and args in src/commands', async () => {
  const manifest = JSON.parse(readFileSync(`${REPO_ROOT}oclif.manifest.json`, 'utf8')) as {
    commands: Record<string, ManifestCommand>
  }
  const files = readdirSync(commandsDir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.ts'),
  )
  const ids = files.map((f) => f.replace(/\.ts$/, '').split('/').join(':'))
  const stale = 'oclif.manifest.json is stale: run `npm run build`'
  assert.deepEqual(Object.keys(manifest.commands).sort(), [...ids].sort(), stale)

  for (const [i, file] of files.entries()) {
    const id = ids[i] as string
    const entry = manifest.commands[id] as ManifestCommand
    const cls = (await import(pathToFileURL(commandsDir + file).href)).default as Command.Class
    assert.equal(entry.summary, cls.summary, `${id}: ${stale}`)
    assert.equal(entry.description, cls.description, `${id}: ${stale}`)
    assert.deepEqual(entry.examples ?? [], cls.examples ?? [], `${id}: ${stale}`)
    const flags = { ...cls.baseFlags, ...cls.flags }
    assert.deepEqual(Object.keys(entry.flags).sort(), Object.keys(flags).sort(), `${id}: ${stale}`)
    for (const [name, flag] of Object.entries(flags)) {
      const listed = entry.flags[name]
      assert.equal(listed?.type, flag.type, `${id} --${name}: ${stale}`)
      assert.equal(listed?.required ?? false, flag.required ?? false, `${id} --${name}: ${stale}`)
      assert.deepEqual(
        listed?.options,
        'options' in flag ? flag.options : undefined,
        `${id} --${name}: ${stale}`,
      )
    }
    assert.deepEqual(Object.keys(entry.args), Object.keys(cls.args ?? {}), `${id}: ${stale}`)
  }
})
