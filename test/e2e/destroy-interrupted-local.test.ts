/**
 * A `destroy` SIGKILLed after it tore the target down and before its record (GWDEPLOY_TEST_KILL_AT):
 * its intent record tells status, rollback, `status --wait-for` and release that it did not finish,
 * and `destroy --force` finishes it; a destroy with nothing left says so and writes no record.
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { liveName, sha } from '../core/helpers/project.ts'
import { releasedProject, startPaused } from '../helpers/released-project.ts'

interface Envelope {
  result?: { destroyed?: string[]; alreadyDestroyed?: { time: string } }
  error?: { message: string; hint: string; exitCode: number }
  warnings: string[]
}

describe('destroy killed before its record, then destroy again (local, CLI)', { concurrency: false }, () => {
  const target = releasedProject([1, 2], { size: 1 })
  const records = async () => (await readdir(join(target().stateDir, 'records'))).sort()

  it('status, rollback and --wait-for name the unfinished destroy; rollback redeploys nothing', async () => {
    const project = target()
    const killed = await project.run(['destroy', '--force'], { GWDEPLOY_TEST_KILL_AT: 'destroy:record' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    assert.equal(await liveName(project.port), undefined)
    const ways = `\`gwdeploy destroy --force\` finishes it, or \`gwdeploy release --sha ${sha(2)}\` serves 0202020 again instead`
    const status = await project.json<Envelope>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    assert.ok(
      status.envelope.warnings.some((w) =>
        new RegExp(
          `^the destroy started at \\S+ by \\S+ pid \\d+ did not finish \\(killed, stopped or failed part-way\\): no colour is left, but the destroy did not record that it finished; ${ways.replace(/[()]/g, '\\$&')}$`,
        ).test(w),
      ),
      JSON.stringify(status.envelope.warnings),
    )
    assert.ok(
      !status.envelope.warnings.some((w) => /kept for rollback/.test(w)),
      JSON.stringify(status.envelope.warnings),
    )

    const back = await project.json<Envelope>(['rollback'])
    assert.equal(back.code, 2, JSON.stringify(back.envelope))
    assert.match(
      back.envelope.error?.message ?? '',
      /^there is nothing to roll back from: the destroy started at \S+ by \S+ pid \d+ did not finish/,
    )
    assert.equal(
      back.envelope.error?.hint,
      `${ways}; \`gwdeploy rollback --to ${sha(1)}\` brings back the release before it. Nothing was changed.`,
    )
    assert.equal(await liveName(project.port), undefined, 'rollback redeployed nothing')
    assert.equal(await project.fleet('blue'), undefined)

    const waited = await project.json<Envelope>(['status', '--wait-for', 'live', '--timeout', '10m'])
    assert.equal(waited.code, 6, JSON.stringify(waited.envelope))
    assert.match(
      waited.envelope.error?.message ?? '',
      /^nothing is deployed, waiting for live cannot help: the target is half destroyed: a destroy started at \S+ by .* and did not finish$/,
    )
  })

  it('destroy --force finishes it; again: nothing to destroy, exit 0, no new record; --wait-for is exit 6 at once', async () => {
    const project = target()
    const before = await records()
    const finished = await project.json<Envelope>(['destroy', '--force'])
    assert.equal(finished.code, 0, JSON.stringify(finished.envelope))
    const written = (await records()).filter((name) => !before.includes(name))
    assert.equal(written.length, 2, 'its intent and its destroyed record')
    const status = await project.json<Envelope>(['status'])
    assert.deepEqual(status.envelope.warnings, [])

    const again = await project.run(['destroy', '--force'])
    assert.equal(again.code, 0, again.stderr)
    assert.match(
      again.stdout,
      /^nothing to destroy: the target was destroyed at \S+ by \S+ pid \d+ and nothing was deployed since$/m,
    )
    const json = await project.json<Envelope>(['destroy', '--force'])
    assert.deepEqual(json.envelope.result?.destroyed, [])
    assert.deepEqual(await records(), [...before, ...written], 'no record for a destroy with nothing left')

    for (const goal of ['live', 'healthy', 'preview']) {
      const waited = await project.json<Envelope>(['status', '--wait-for', goal, '--timeout', '10m'])
      assert.equal(waited.code, 6, JSON.stringify(waited.envelope))
      assert.match(
        waited.envelope.error?.message ?? '',
        new RegExp(`^nothing is deployed, waiting for ${goal} cannot help: the target was destroyed at `),
      )
      assert.match(waited.envelope.error?.hint ?? '', new RegExp(`rollback --to ${sha(2)}`))
    }
  })

  it('a release after a destroy killed before it tore anything down says so, records itself, and ends it', async () => {
    const project = target()
    const released = await project.run(['release', '--sha', sha(3)])
    assert.equal(released.code, 0, released.stderr)
    const killed = await project.run(['destroy', '--force'], { GWDEPLOY_TEST_KILL_AT: 'destroy:started' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    assert.equal(await liveName(project.port), `e2e rev-${sha(3).slice(0, 7)}`, 'nothing torn down yet')
    const back = await project.json<Envelope>(['rollback'])
    assert.equal(back.code, 2, JSON.stringify(back.envelope))
    assert.match(back.envelope.error?.message ?? '', /did not finish .*: \w+ \(0303030\) is still there$/)
    const again = await project.json<Envelope>(['release', '--sha', sha(3)])
    assert.equal(again.code, 0, JSON.stringify(again.envelope))
    assert.ok(
      again.envelope.warnings.some((w) =>
        /^the destroy started at .* this release serves the target again/.test(w),
      ),
      JSON.stringify(again.envelope.warnings),
    )
    const status = await project.json<Envelope>(['status'])
    assert.deepEqual(status.envelope.warnings, [])
    const destroyed = await project.json<Envelope>(['destroy', '--force'])
    assert.equal(destroyed.code, 0, JSON.stringify(destroyed.envelope))
    assert.ok((destroyed.envelope.result?.destroyed ?? []).length > 0)
  })

  it('`gwdeploy abort` stops a destroy (its lock taken over): exit 130 part-way, and abort reports its record at once', async () => {
    const project = target()
    const released = await project.run(['release', '--sha', sha(4)])
    assert.equal(released.code, 0, released.stderr)
    const run = await startPaused(project, ['destroy', '--force', '--json'], 'destroy:started')
    const aborted = await project.run(['abort'])
    if (run.child.exitCode === null) run.child.kill('SIGKILL') // the previous code never stopped it
    const stopped = await run.done
    assert.equal(aborted.code, 0, aborted.stderr)
    assert.match(aborted.stdout, /^aborted destroy of \S+ pid \d+; it recorded: interrupted \(aborted by /m)
    assert.doesNotMatch(aborted.stderr, /did not record an outcome/)
    assert.equal(stopped.code, 130, stopped.stderr)
    const envelope = JSON.parse(stopped.stdout) as Envelope
    assert.match(
      envelope.error?.message ?? '',
      /^aborted by \S+ pid \d+ \(abort: gwdeploy abort\) part-way through destroy: some of .* may still be there$/,
    )
    assert.equal(await liveName(project.port), `e2e rev-${sha(4).slice(0, 7)}`, 'nothing was torn down')
    const status = await project.json<Envelope>(['status'])
    assert.ok(
      status.envelope.warnings.some((w) => /^the destroy started at .* did not finish/.test(w)),
      JSON.stringify(status.envelope.warnings),
    )
  })
})
