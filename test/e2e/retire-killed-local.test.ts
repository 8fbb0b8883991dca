/**
 * A `retire` SIGKILLed after it stopped the idle colour and before its record (GWDEPLOY_TEST_KILL_AT):
 * its intent record makes status and rollback say a retire did not finish, not that the colour kept
 * for rollback was removed outside gwdeploy; `retire` again finishes it.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { liveName, sha } from '../core/helpers/project.ts'
import { releasedProject } from '../helpers/released-project.ts'

interface Envelope {
  result?: { unfinishedRetire?: { time: string; holder?: string } }
  error?: { message: string; hint: string; exitCode: number }
  warnings: string[]
}

const unfinished = (left: string) =>
  new RegExp(
    `^the retire started at \\S+ by \\S+ pid \\d+ did not finish \\(killed, stopped or failed part-way\\): ${left}; \`gwdeploy retire\` finishes it`,
  )

describe('retire killed before its record (local, CLI)', { concurrency: false }, () => {
  const target = releasedProject([1, 2], { size: 1 })

  it('status names the unfinished retire, not a removal outside gwdeploy; retire again finishes it', async () => {
    const project = target()
    const killed = await project.run(['retire'], { GWDEPLOY_TEST_KILL_AT: 'retire:record' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
    const status = await project.json<Envelope>(['status'])
    const left = 'no node of blue \\(0101010\\) is left, but the retire did not record that it finished'
    assert.ok(
      status.envelope.warnings.some((w) => unfinished(left).test(w)),
      JSON.stringify(status.envelope.warnings),
    )
    assert.ok(
      !status.envelope.warnings.some((w) => /outside gwdeploy|stopped without finishing/.test(w)),
      JSON.stringify(status.envelope.warnings),
    )
    assert.ok(status.envelope.result?.unfinishedRetire?.time)
    const again = await project.run(['retire'])
    assert.equal(again.code, 0, again.stderr)
    const after = await project.json<Envelope>(['status'])
    assert.deepEqual(after.envelope.warnings, [])
  })

  it('killed after its intent, before it stopped anything: status and rollback say so; rollback redeploys what it was stopping', async () => {
    const project = target()
    const released = await project.run(['release', '--sha', sha(3)])
    assert.equal(released.code, 0, released.stderr)
    const killed = await project.run(['retire'], { GWDEPLOY_TEST_KILL_AT: 'retire:started' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    const left = '\\w+ \\(0202020\\) is still there, its nodes may be half stopped'
    const status = await project.json<Envelope>(['status'])
    assert.ok(
      status.envelope.warnings.some((w) => unfinished(left).test(w)),
      JSON.stringify(status.envelope.warnings),
    )
    // Nothing says how far the retire got: the rollback does not switch to that colour as it is.
    const back = await project.json<Envelope & { result?: { status: string } }>(['rollback'])
    assert.equal(back.code, 0, JSON.stringify(back.envelope))
    assert.ok(
      back.envelope.warnings.some(
        (w) =>
          unfinished(left).test(w) &&
          /; this rollback redeploys 0202020 as recorded onto \w+ \(its nodes replaced\) rather than switch to it as the retire left it$/.test(
            w,
          ),
      ),
      JSON.stringify(back.envelope.warnings),
    )
    assert.equal(back.envelope.result?.status, 'released', 'redeployed, not switched')
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
    const after = await project.json<Envelope>(['status'])
    assert.ok(!after.envelope.warnings.some((w) => /retire/.test(w)), JSON.stringify(after.envelope.warnings))
  })
})
