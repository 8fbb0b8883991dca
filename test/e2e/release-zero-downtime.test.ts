/**
 * Zero downtime: continuous HTTP/1.1 keep-alive and h2c load on the local front proxy across
 * 10 release -> rollback cycles. Every request must succeed (200), and the answering config
 * name must switch from blue's to green's and back.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import { assertZeroDowntimeCycles } from '../helpers/health-load.ts'

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
    await assertZeroDowntimeCycles({
      origin: `http://127.0.0.1:${project.port}`,
      loops: { h1: 2, h2: 2 },
      cycles: CYCLES,
      blueName: `e2e rev-${sha(1).slice(0, 7)}`,
      releaseSha: (i) => sha(i + 20),
      run: (args) => project.run(args),
    })
  })
})
