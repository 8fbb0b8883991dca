/**
 * Zero downtime: continuous HTTP/1.1 keep-alive and h2c load on the local front proxy across
 * 10 release -> rollback cycles. Every request must succeed (200), and the answering config
 * name must switch from blue's to green's and back.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import { startHealthLoad } from '../helpers/health-load.ts'

const CYCLES = 10

describe('zero failed requests over 10 release -> rollback cycles (h1 keep-alive + h2c)', () => {
  let project: Project
  before(async () => {
    project = await makeProject({ size: 2 })
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
  })
  after(async () => {
    await project?.cleanup()
  })

  it('keeps serving every request while traffic switches back and forth', async () => {
    const load = startHealthLoad(`http://127.0.0.1:${project.port}`, { h1: 2, h2: 2 })
    const blueName = `e2e rev-${sha(1).slice(0, 7)}`
    try {
      for (let i = 0; i < CYCLES && load.failures.length === 0; i++) {
        const next = sha(i + 20)
        const released = await project.run(['release', '--sha', next])
        assert.equal(released.code, 0, released.stderr)
        const rolled = await project.run(['rollback'])
        assert.equal(rolled.code, 0, rolled.stderr)
      }
      // Requests sent before the last rollback may still answer from green: let a few more through.
      await load.settle(30)
    } finally {
      await load.stop()
    }
    const { failures, names } = load
    assert.deepEqual(failures, [], `failed requests: ${failures.slice(0, 5).join('; ')}`)
    assert.ok(load.ok() > 100, `load ran (${load.ok()} requests)`)
    // The answering name went blue -> green -> blue ... for every cycle.
    const switches = names.filter((name) => name !== blueName).length
    assert.equal(names[0], blueName)
    assert.equal(names.at(-1), blueName)
    assert.ok(switches >= CYCLES, `saw ${switches} switches to green in ${JSON.stringify(names)}`)
  })
})
