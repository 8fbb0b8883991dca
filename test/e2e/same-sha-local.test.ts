/**
 * One SHA names one gateway config, end to end on the local provider (CLI subprocess, a real git
 * repository): following `status`'s "router down" hint after a rollback restarts the router and
 * changes nothing else; `--sha` with a working tree that is not that commit's is refused; a listen
 * port held by another process is found before any node starts.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isAlive, liveName, makeProject, type Project } from '../core/helpers/project.ts'

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@x', '-c', 'user.name=t', ...args], {
    cwd: dir,
    encoding: 'utf8',
  }).trim()

async function commitTimeout(project: Project, timeout: string): Promise<string> {
  const file = join(project.dir, 'gateway.json')
  const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
  await writeFile(file, `${JSON.stringify({ ...config, timeout }, null, 2)}\n`)
  git(project.dir, 'add', '-A')
  git(project.dir, 'commit', '-qm', timeout)
  return git(project.dir, 'rev-parse', 'HEAD')
}

describe('release --sha of the live SHA after a rollback and a router crash (local, CLI)', () => {
  let project: Project
  let a: string
  let b: string
  before(async () => {
    project = await makeProject({ size: 1 })
    await writeFile(join(project.dir, '.gitignore'), '.gwdeploy/\n')
    git(project.dir, 'init', '-q')
    a = await commitTimeout(project, '3s')
  })
  after(async () => {
    await project?.cleanup()
  })

  it('release A, release B, rollback to A', async () => {
    assert.equal((await project.run(['release'])).code, 0)
    b = await commitTimeout(project, '4s')
    assert.equal((await project.run(['release'])).code, 0)
    const back = await project.json<{ result: { status: string; sha: string } }>(['rollback'])
    assert.equal(back.code, 0, JSON.stringify(back.envelope))
    assert.equal(back.envelope.result.sha, a)
    assert.equal(await liveName(project.port), `e2e rev-${a.slice(0, 7)}`)
  })

  it('the router killed, `release --sha A` (the tree holds B) restarts it and changes nothing else', async () => {
    const router = JSON.parse(await readFile(join(project.stateDir, 'local/router.json'), 'utf8')) as {
      pid: number
    }
    process.kill(router.pid, 'SIGKILL')
    for (let i = 0; i < 50 && isAlive(router.pid); i++) await new Promise((r) => setTimeout(r, 50))
    const green = await project.fleet('green')
    const history = (await project.json<{ result: unknown[] }>(['history'])).envelope.result.length
    const out = await project.json<{ result: { status: string; repaired: string[]; previous: unknown } }>([
      'release',
      '--sha',
      a,
    ])
    assert.equal(out.code, 0, JSON.stringify(out.envelope))
    assert.equal(out.envelope.result.status, 'repaired')
    assert.deepEqual(out.envelope.result.repaired, ['started the router again'])
    assert.equal(out.envelope.result.previous, null)
    assert.equal(await liveName(project.port), `e2e rev-${a.slice(0, 7)}`)
    const after = await project.fleet('green')
    assert.equal(after?.sha, b, "B's colour, the one rolled back from, is untouched")
    assert.deepEqual(after, green)
    const served = JSON.parse(await readFile(join(project.stateDir, 'local/fleet-blue.json'), 'utf8')) as {
      configFile: string
    }
    assert.match(await readFile(served.configFile, 'utf8'), /"timeout": "3s"/, "A's config serves")
    const now = (await project.json<{ result: unknown[] }>(['history'])).envelope.result.length
    assert.equal(now, history, 'no record for a repair')
  })

  it('`release --sha B` with an uncommitted gateway.json: exit 2 naming it, nothing changed', async () => {
    const file = join(project.dir, 'gateway.json')
    await writeFile(file, (await readFile(file, 'utf8')).replace('"4s"', '"5s"'))
    const blue = await project.fleet('blue')
    const out = await project.run(['release', '--sha', b])
    assert.equal(out.code, 2, out.stderr)
    assert.match(out.stderr, /gateway\.json in the working tree is not what commit .{7} holds/)
    assert.deepEqual(await project.fleet('blue'), blue)
    assert.equal(await liveName(project.port), `e2e rev-${a.slice(0, 7)}`)
    git(project.dir, 'checkout', '-q', '--', 'gateway.json')
  })
})

/** Listens on the port as "another process" would, once the killed router's socket is gone. */
async function holdPort(port: number): Promise<net.Server> {
  for (let attempt = 0; ; attempt++) {
    const server = net.createServer()
    const error = await new Promise<Error | undefined>((resolve) => {
      server.once('error', resolve)
      server.listen(port, '127.0.0.1', () => resolve(undefined))
    })
    if (!error) return server
    if (attempt === 50) throw error
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('provider.local.listen held by another process (local, CLI)', () => {
  let project: Project
  let holder: net.Server
  before(async () => {
    project = await makeProject({ size: 1 })
    holder = await holdPort(project.port)
  })
  after(async () => {
    await new Promise((resolve) => holder.close(resolve))
    await project?.cleanup()
  })

  it('is found before any node starts: exit 6 naming the address, nothing provisioned', async () => {
    const out = await project.run(['release', '--sha', 'ab'.repeat(20)])
    assert.equal(out.code, 6, out.stderr)
    assert.match(out.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${project.port} \\(EADDRINUSE\\)`))
    assert.doesNotMatch(out.stderr, /verify: (running|done)/, 'no node was started to be verified')
    assert.equal(await project.fleet('blue'), undefined)
  })

  it('with a colour kept for rollback and the router down: found before that colour is retired', async () => {
    await new Promise((resolve) => holder.close(resolve))
    assert.equal((await project.run(['release', '--sha', 'ab'.repeat(20)])).code, 0)
    assert.equal((await project.run(['release', '--sha', 'cd'.repeat(20)])).code, 0)
    const kept = await project.fleet('blue')
    assert.equal(kept?.sha, 'ab'.repeat(20))
    const router = JSON.parse(await readFile(join(project.stateDir, 'local/router.json'), 'utf8')) as {
      pid: number
    }
    process.kill(router.pid, 'SIGKILL')
    for (let i = 0; i < 50 && isAlive(router.pid); i++) await new Promise((r) => setTimeout(r, 50))
    holder = await holdPort(project.port)
    const out = await project.run(['release', '--sha', 'ef'.repeat(20)])
    assert.equal(out.code, 6, out.stderr)
    assert.match(out.stderr, /cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/)
    assert.doesNotMatch(out.stderr, /retire idle/)
    assert.deepEqual(await project.fleet('blue'), kept, 'the rollback colour is still there')
    assert.ok(kept?.nodes.every((node) => isAlive(node.pid)))
  })
})
