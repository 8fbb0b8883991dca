/**
 * haproxy `servers` mode, real HAProxy: a `promote` killed (kill -9) after the map reached 100% and
 * before its record. The re-run finishes the job (bakes, records the release, keeps the colour that
 * served for rollback) instead of "nothing to promote" with `status` the only one naming the way out.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { before, describe, it } from 'node:test'
import { type Project, sha } from '../core/helpers/project.ts'
import { releaseName, serversTarget } from '../helpers/servers-target.ts'
import { askName, type HaproxyInstance } from '../providers/haproxy/helpers.ts'

interface History {
  result: Array<{
    operation: string
    status: string
    sha: string
    previous?: { colour: string; sha: string }
  }>
}
interface Status {
  result: { colours: Array<{ colour: string; role: string; sha: string }> }
  warnings: string[]
}

describe('haproxy servers mode: promote killed between the switch and its record', {
  concurrency: false,
}, () => {
  const target = serversTarget()
  let project: Project
  let lb: HaproxyInstance

  before(async () => {
    ;({ project, lb } = target)
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
    // Nothing of gwdeploy's runs in servers mode (it used to say haproxy "runs the runtime bundle").
    assert.match(
      first.stderr,
      /build: skipped — haproxy moves traffic between servers run outside gwdeploy: nothing to build or start\n/,
    )
    const preview = await project.run(['release', '--sha', sha(2), '--no-shift'])
    assert.equal(preview.code, 0, preview.stderr)
  })

  it('the re-run of promote records the release the killed one switched to, kept blue for rollback', async () => {
    const killed = await project.run(['promote'], { GWDEPLOY_TEST_KILL_AT: 'finalize' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    assert.equal(await lb.green(), 100)
    assert.match(await readFile(lb.mapFile, 'utf8'), /^blue 0\ngreen 100$/m)

    // status names the way out that finishes it.
    const stopped = await project.json<Status>(['status'])
    assert.ok(
      stopped.envelope.warnings.some((w) =>
        /^green serves 0202020, but the records say 0101010 went live last: a promote stopped before its record \(or traffic was switched by hand\); `gwdeploy promote` finishes it/.test(
          w,
        ),
      ),
      JSON.stringify(stopped.envelope.warnings),
    )

    const again = await project.json<{ result: { status: string; sha: string; previous: unknown } }>([
      'promote',
    ])
    assert.equal(again.code, 0, JSON.stringify(again.envelope))
    assert.equal(again.envelope.result.status, 'released')
    assert.equal(again.envelope.result.sha, sha(2))
    assert.deepEqual(again.envelope.result.previous, { colour: 'blue', sha: sha(1) })
    assert.equal(await lb.green(), 100)
    assert.deepEqual(await askName(lb.port), { status: 200, name: releaseName(2) })

    const history = await project.json<History>(['history'])
    const newest = history.envelope.result[0]
    assert.deepEqual(
      { operation: newest?.operation, status: newest?.status, sha: newest?.sha, previous: newest?.previous },
      { operation: 'promote', status: 'released', sha: sha(2), previous: { colour: 'blue', sha: sha(1) } },
    )
    const status = await project.json<Status>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    const roles = Object.fromEntries(status.envelope.result.colours.map((c) => [c.colour, c.role]))
    assert.deepEqual(roles, { blue: 'previous', green: 'live' })
    assert.deepEqual(status.envelope.warnings, [])

    // Done: a third promote has nothing left to do (exit 2), and rollback goes back to blue.
    const third = await project.run(['promote'])
    assert.equal(third.code, 2, third.stderr)
    const back = await project.run(['rollback'])
    assert.equal(back.code, 0, back.stderr)
    assert.equal(await lb.green(), 0)
  })
})
