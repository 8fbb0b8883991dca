import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isAlive, liveName, makeProject, type Project, sha, sleep } from '../core/helpers/project.ts'

describe('failures: health gate (exit 4), bake (exit 5), hooks', () => {
  let project: Project
  const blueName = `e2e rev-${sha(1).slice(0, 7)}`
  before(async () => {
    project = await makeProject({ size: 2 })
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
  })
  after(async () => {
    await project?.cleanup()
  })

  it('a green that fails its health gate exits 4, names node and check, prints its log, leaves traffic untouched', async () => {
    // A path the gateway does not serve (expectName off: with it, release refuses the mismatch up front).
    await project.writeConfig({ size: 2, health: { path: '/__nope', deadline: '3s', expectName: false } })
    const routesBefore = await project.routes()
    const result = await project.run(['release', '--sha', sha(2)])
    assert.equal(result.code, 4, result.stderr)
    assert.match(
      result.stderr,
      /green \(green, 0202020\) failed its health gate: green-0202020-\d: .*GET \/__nope answered 404/,
    )
    assert.match(result.stderr, /last log lines of green-0202020-\d/)
    assert.match(result.stderr, /Traffic was not touched/)
    assert.deepEqual(await project.routes(), routesBefore)
    assert.equal(await liveName(project.port), blueName)
    assert.equal(await project.fleet('green'), undefined, 'green torn down')
  })

  it('--keep-failed keeps the failed green; a failing smoke check is a gate failure too', async () => {
    await project.writeConfig({
      size: 1,
      smoke: [{ path: '/__health', status: 200, bodyContains: 'no-such-text' }],
    })
    const result = await project.run(['release', '--sha', sha(3), '--keep-failed'])
    assert.equal(result.code, 4, result.stderr)
    assert.match(result.stderr, /smoke "GET \/__health": body does not contain "no-such-text"/)
    assert.equal(await liveName(project.port), blueName)
    const green = await project.fleet('green')
    assert.ok(
      green?.nodes.every((n) => isAlive(n.pid)),
      'kept for debugging',
    )
  })

  it('a green that fails during bake is rolled back: exit 5, traffic back on blue', async () => {
    await project.writeConfig({ size: 2, shift: { strategy: 'steps', steps: [50, 100], bake: '20s' } })
    const run = project.start(['release', '--sha', sha(4)])
    // Wait until green carries traffic, then kill one of its nodes.
    let victim: number | undefined
    for (let i = 0; i < 400 && victim === undefined; i++) {
      const routes = await project.routes()
      const fleet = await project.fleet('green')
      if (routes?.colours.green && routes.colours.green.weight > 0 && fleet?.sha === sha(4))
        victim = fleet.nodes[0]?.pid
      else await sleep(50)
    }
    assert.ok(victim, 'green got traffic')
    process.kill(-victim, 'SIGKILL')
    const result = await run.done
    assert.equal(result.code, 5, result.stderr)
    assert.match(result.stderr, /failed during bake at 50%/)
    const routes = await project.routes()
    assert.equal(routes?.colours.blue?.weight, 100)
    assert.equal(await liveName(project.port), blueName)
    const history = await readFile(join(project.stateDir, 'history.jsonl'), 'utf8')
    assert.match(history.trim().split('\n').at(-1) ?? '', /"status":"rolled-back"/)
  })

  it('a failing pre-release hook aborts before anything is provisioned; hooks get GWDEPLOY_* variables', async () => {
    await project.writeConfig({
      size: 1,
      hooks: {
        preRelease: [
          'echo "$GWDEPLOY_SHA7 $GWDEPLOY_COLOR $GWDEPLOY_PREVIOUS_SHA $GWDEPLOY_SERVICE" > hook.txt',
          'exit 7',
        ],
        onFailure: ['echo failed > failed.txt'],
      },
    })
    const greenBefore = await project.fleet('green')
    const result = await project.run(['release', '--sha', sha(5)])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /preRelease hook `exit 7` failed/)
    const hook = await readFile(join(project.dir, 'hook.txt'), 'utf8')
    assert.equal(hook.trim(), `0505050 green ${sha(1)} e2e`)
    assert.equal((await readFile(join(project.dir, 'failed.txt'), 'utf8')).trim(), 'failed')
    const greenAfter = await project.fleet('green')
    assert.equal(greenAfter?.sha, greenBefore?.sha, 'nothing provisioned')
  })
})
