/**
 * Faults found by trying to break the local provider and the engine (issue 20): wrong version
 * serving after rollback/promote, interrupts that left traffic split or green running, a dead
 * front proxy or node nobody noticed, secrets in output and in detached processes' environment.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isAlive, liveName, makeProject, type Project, sha, sleep } from '../core/helpers/project.ts'

const nameOf = (n: number) => `e2e rev-${sha(n).slice(0, 7)}`

async function waitFor(check: () => Promise<boolean>, what: string, tries = 600): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await sleep(50)
  }
  assert.fail(`timed out waiting for ${what}`)
}

async function environOf(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0')
}

describe('faults: rollback and promote never serve the wrong version', () => {
  let project: Project
  before(async () => {
    project = await makeProject({ size: 1 })
  })
  after(async () => {
    await project?.cleanup()
  })

  it('rollback during a canary goes back to the colour that fully served before', async () => {
    assert.equal((await project.run(['release', '--sha', sha(1)])).code, 0)
    const preview = await project.run(['release', '--sha', sha(2), '--no-shift'])
    assert.equal(preview.code, 0, preview.stderr)
    const canary = await project.run(['promote', '--weight', '10'])
    assert.equal(canary.code, 0, canary.stderr)
    assert.equal((await project.routes())?.colours.green?.weight, 10)
    const back = await project.json<{ result: { sha: string } }>(['rollback'])
    assert.equal(back.code, 0, JSON.stringify(back.envelope))
    assert.equal(back.envelope.result.sha, sha(1))
    const routes = await project.routes()
    assert.equal(routes?.colours.blue?.weight, 100)
    assert.equal(routes?.colours.green?.weight ?? 0, 0)
    assert.equal(await liveName(project.port), nameOf(1))
  })

  it('a repeated promote is "nothing to promote" (exit 2), not a rollback to the previous colour', async () => {
    assert.equal((await project.run(['release', '--sha', sha(2), '--no-shift'])).code, 0)
    const first = await project.run(['promote'])
    assert.equal(first.code, 0, first.stderr)
    assert.equal(await liveName(project.port), nameOf(2))
    const routesBefore = await project.routes()
    const again = await project.run(['promote'])
    assert.equal(again.code, 2, again.stderr)
    assert.match(again.stderr, /nothing to promote/)
    assert.deepEqual((await project.routes())?.colours.green?.weight, routesBefore?.colours.green?.weight)
    assert.equal(await liveName(project.port), nameOf(2))
  })
})

describe('faults: an interrupt reverts traffic and tears green down', () => {
  let project: Project
  before(async () => {
    project = await makeProject({ size: 1, shift: { strategy: 'steps', steps: [10, 100], bake: '30s' } })
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
  })
  after(async () => {
    await project?.cleanup()
  })

  for (const [signal, point] of [
    ['SIGINT', 'shift:10'],
    ['SIGTERM', 'verify'],
  ] as const) {
    it(`${signal} at ${point}: exit 130, traffic back to 100% blue, green stopped`, async () => {
      const run = project.start(['release', '--sha', sha(3)], { GWDEPLOY_TEST_PAUSE_AT: point })
      let stderr = ''
      run.child.stderr?.on('data', (c: Buffer) => {
        stderr += c.toString()
      })
      await waitFor(async () => stderr.includes(`paused at ${point}`), `pause at ${point}`)
      const green = await project.fleet('green')
      assert.equal(green?.sha, sha(3))
      run.child.kill(signal)
      const result = await run.done
      assert.equal(result.code, 130, result.stderr)
      const routes = await project.routes()
      assert.equal(routes?.colours.blue?.weight, 100)
      assert.equal(routes?.colours.green?.weight ?? 0, 0)
      assert.equal(await project.fleet('green'), undefined, 'green torn down')
      for (const node of green?.nodes ?? [])
        assert.equal(isAlive(node.pid), false, `node ${node.pid} stopped`)
      assert.equal(await liveName(project.port), nameOf(1))
      const status = await project.json<{ result: { colours: Array<{ role: string }> } }>(['status'])
      assert.deepEqual(
        status.envelope.result.colours.map((c) => c.role),
        ['live'],
      )
    })
  }
})

describe('faults: a dead front proxy or node is noticed and restored', () => {
  let project: Project
  before(async () => {
    project = await makeProject({ size: 2 })
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
  })
  after(async () => {
    await project?.cleanup()
  })

  it('kill -9 of the front proxy: status says nothing is served (exit 6); a release of the live SHA restores it', async () => {
    const router = JSON.parse(await readFile(join(project.stateDir, 'local/router.json'), 'utf8')) as {
      pid: number
    }
    process.kill(router.pid, 'SIGKILL')
    await waitFor(async () => !isAlive(router.pid), 'front proxy exit')
    const status = await project.run(['status'])
    assert.equal(status.code, 6, status.stdout + status.stderr)
    assert.match(status.stdout + status.stderr, /nothing is served/)
    const again = await project.run(['release', '--sha', sha(1)])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stderr, /front proxy/)
    assert.equal(await liveName(project.port), nameOf(1))
    assert.equal((await project.run(['status'])).code, 0)
  })

  it('kill -9 of one live node: POSTs are retried on ECONNREFUSED; a release of the live SHA replaces the node', async () => {
    const fleet = await project.fleet('blue')
    const victim = fleet?.nodes[0]
    assert.ok(victim)
    process.kill(-victim.pid, 'SIGKILL')
    await waitFor(async () => !isAlive(victim.pid), 'node exit')
    const statuses: number[] = []
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`http://127.0.0.1:${project.port}/v1/ping`, { method: 'POST', body: 'x' })
      await response.arrayBuffer()
      statuses.push(response.status)
    }
    assert.deepEqual(
      statuses.filter((s) => s === 502),
      [],
      'no POST reached the dead node',
    )
    const again = await project.run(['release', '--sha', sha(1)])
    assert.equal(again.code, 0, again.stderr)
    const after = await project.fleet('blue')
    assert.equal(after?.nodes.length, 2)
    assert.ok(after?.nodes.every((n) => isAlive(n.pid)))
    const routes = await project.routes()
    assert.ok(routes?.colours.blue?.nodes.every((n) => !n.endsWith(`:${victim.port}`)))
  })
})

describe('faults: secrets stay out of output, history and detached processes', () => {
  let project: Project
  const token = 'tok-3f9a1c77e2b04d5d'
  const env = {
    API_TOKEN: token,
    GWDEPLOY_REGISTRY_PASSWORD: 'registry-pass-8d1e',
    DEPLOY_KEY: 'deploy-key-77aa01',
    SLACK_WEBHOOK_URL: 'https://hooks.example.invalid/T000/B000/xyzsecret',
  }
  before(async () => {
    project = await makeProject({ size: 1 })
  })
  after(async () => {
    await project?.cleanup()
  })

  it('a hook prints and records its template, never the expansion; the hook still gets the value', async () => {
    await project.writeConfig({
      size: 1,
      hooks: { preRelease: ['echo \'Bearer ${API_TOKEN}\' > seen.txt; echo "token ${API_TOKEN}"; exit 3'] },
    })
    const plain = await project.run(['release', '--sha', sha(1)], env)
    assert.equal(plain.code, 2, plain.stderr)
    assert.match(plain.stderr, /\$\{API_TOKEN\}/)
    const json = await project.run(['release', '--sha', sha(1), '--json'], env)
    assert.equal(json.code, 2)
    assert.equal((await readFile(join(project.dir, 'seen.txt'), 'utf8')).trim(), `Bearer ${token}`)
    const history = await readFile(join(project.stateDir, 'history.jsonl'), 'utf8')
    for (const text of [plain.stdout, plain.stderr, json.stdout, json.stderr, history])
      assert.ok(!text.includes(token), `token leaked:\n${text}`)
  })

  it('nodes and the front proxy get a minimal environment', async () => {
    await project.writeConfig({ size: 1 })
    const result = await project.run(['release', '--sha', sha(1)], env)
    assert.equal(result.code, 0, result.stderr)
    const router = JSON.parse(await readFile(join(project.stateDir, 'local/router.json'), 'utf8')) as {
      pid: number
    }
    const node = (await project.fleet('blue'))?.nodes[0]
    assert.ok(node)
    for (const pid of [router.pid, node.pid]) {
      const environ = await environOf(pid)
      for (const value of Object.values(env))
        assert.ok(!environ.some((line) => line.includes(value)), `pid ${pid} inherited a secret`)
      assert.ok(environ.some((line) => line.startsWith('PATH=')))
    }
  })

  it('config show redacts values from secret-looking variables', async () => {
    await project.writeConfig({ size: 1, hooks: { postRelease: ['curl -d x ${SLACK_WEBHOOK_URL}'] } })
    const yml = await readFile(join(project.dir, 'gwdeploy.yml'), 'utf8')
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(
        join(project.dir, 'gwdeploy.yml'),
        yml.replace('gateway:\n', 'gateway:\n  name: "${DEPLOY_KEY} {sha7}"\n'),
      ),
    )
    const shown = await project.run(['config', 'show'], env)
    assert.equal(shown.code, 0, shown.stderr)
    for (const value of Object.values(env)) assert.ok(!shown.stdout.includes(value), shown.stdout)
  })
})

/** Pids whose command line names a release of this project's state dir. */
async function nodesOf(stateDir: string): Promise<number[]> {
  const { readdir } = await import('node:fs/promises')
  const marker = join(stateDir, 'local/releases/')
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.includes(marker) && isAlive(Number(entry))) pids.push(Number(entry))
  }
  return pids.sort()
}

describe('faults: nodes started by a run killed before it recorded them', () => {
  let project: Project
  before(async () => {
    project = await makeProject({ size: 2 })
  })
  after(async () => {
    await project?.cleanup()
  })

  it('the re-run stops them; destroy finds them and needs none of the release variables', async () => {
    const env = { GWDEPLOY_TEST_KILL_AT: 'provision:spawned' }
    const killed = await project.run(['release', '--sha', sha(1)], env)
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    assert.equal(await project.fleet('blue'), undefined, 'no record names them')
    assert.equal((await nodesOf(project.stateDir)).length, 2)
    const rerun = await project.run(['release', '--sha', sha(1)])
    assert.equal(rerun.code, 0, rerun.stderr)
    const recorded = ((await project.fleet('blue'))?.nodes ?? []).map((n) => n.pid).sort()
    assert.deepEqual(await nodesOf(project.stateDir), recorded, 'only recorded nodes run')

    assert.equal((await project.run(['release', '--sha', sha(2)], env)).signal, 'SIGKILL')
    assert.equal((await nodesOf(project.stateDir)).length, 4)
    const yml = await readFile(join(project.dir, 'gwdeploy.yml'), 'utf8')
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(
        join(project.dir, 'gwdeploy.yml'),
        yml.replace('gateway:\n', 'gateway:\n  name: "${RELEASE_LABEL_UNSET} {sha7}"\n'),
      ),
    )
    const destroyed = await project.run(['destroy', '--force'])
    assert.equal(destroyed.code, 0, destroyed.stderr)
    assert.deepEqual(await nodesOf(project.stateDir), [])
  })
})
