/** The README's main flow on a fresh directory: gwdeploy init, release, curl the front, rollback. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { BIN, freePort, liveName } from '../core/helpers/project.ts'

function gwdeploy(
  cwd: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, CI: 'true' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('fresh machine: gwdeploy init, then release on the local provider', () => {
  let dir: string | undefined
  after(async () => {
    if (!dir) return
    await gwdeploy(dir, ['destroy', '--force'])
    await rm(dir, { recursive: true, force: true })
  })

  it('init -> release A -> release B -> curl shows B -> rollback shows A', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwd-fresh-'))
    const init = await gwdeploy(dir, ['init'])
    assert.equal(init.code, 0, init.stderr)
    // The starter listens on 127.0.0.1:8080; tests take a free port instead.
    const port = await freePort()
    const yml = join(dir, 'gwdeploy.yml')
    await writeFile(yml, (await readFile(yml, 'utf8')).replace('127.0.0.1:8080', `127.0.0.1:${port}`))
    const service = /^service: (.+)$/m.exec(await readFile(yml, 'utf8'))?.[1]?.trim()

    const a = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
    const b = 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
    const first = await gwdeploy(dir, ['release', '--sha', a])
    assert.equal(first.code, 0, first.stderr)
    assert.equal(await liveName(port), `${service} rev-a1b2c3d`)
    const second = await gwdeploy(dir, ['release', '--sha', b])
    assert.equal(second.code, 0, second.stderr)
    assert.match(second.stdout, /released b1b2c3d/)
    assert.equal(await liveName(port), `${service} rev-b1b2c3d`)
    const back = await gwdeploy(dir, ['rollback'])
    assert.equal(back.code, 0, back.stderr)
    assert.equal(await liveName(port), `${service} rev-a1b2c3d`)
    const status = await gwdeploy(dir, ['status'])
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, /traffic: blue 100% \/ green 0%/)
  })
})
