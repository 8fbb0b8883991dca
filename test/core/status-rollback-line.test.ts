/**
 * One rendering of a RollbackView: status's `rollback:` line and the advice hints give come from
 * one case analysis in core (fleetless.ts). status.ts had its own copy of the cases beside
 * describeRollback's, free to drift (a new kind of rollback said in one and not the other).
 * Pins both wordings, which existing status tests and hints read.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { renderStatus } from '../../src/commands/status.ts'
import {
  describeRollback,
  NO_COLOUR_RUNS_IT,
  type RollbackView,
  rollbackLine,
} from '../../src/core/fleetless.ts'
import type { StatusResult } from '../../src/core/operations.ts'

const sha = '0101010aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const cases: Array<{ view: RollbackView; line: string; advice: string }> = [
  {
    view: { sha, how: 'switch', colour: 'blue' },
    line: 'switches to blue (0101010)',
    advice: '`gwdeploy rollback` switches all traffic to blue (0101010)',
  },
  {
    view: { sha, how: 'redeploy' },
    line: 'redeploys 0101010 as recorded (no colour runs it)',
    advice: '`gwdeploy rollback` redeploys 0101010 as recorded (a new deploy, not an instant switch)',
  },
  {
    view: { sha, how: 'redeploy', why: 'the retire that did not finish may have half stopped blue' },
    line: 'redeploys 0101010 as recorded (the retire that did not finish may have half stopped blue)',
    advice: '`gwdeploy rollback` redeploys 0101010 as recorded (a new deploy, not an instant switch)',
  },
  {
    view: { sha, how: 'outside', colour: 'blue' },
    line: 'switches to blue (0101010) once its servers answer again (they run outside gwdeploy; none is live now)',
    advice:
      'its servers run outside gwdeploy, which cannot start them: start them again (running 0101010), then `gwdeploy rollback` switches all traffic to blue (until then it refuses, exit 4, traffic untouched)',
  },
  {
    view: { sha, how: 'outside', colour: 'green', why: NO_COLOUR_RUNS_IT },
    line: "moves all traffic to green (0101010) once green's servers run it (no colour runs it now; the servers run outside gwdeploy, which cannot start them)",
    advice:
      "no colour runs 0101010 and the servers run outside gwdeploy, which cannot start them: start green's servers running 0101010, then `gwdeploy rollback` moves all traffic to green once they pass the health gate (until then it refuses, exit 4, traffic untouched)",
  },
]

describe("status's rollback line", () => {
  for (const { view, line, advice } of cases) {
    it(`${view.how}${view.why ? ` (${view.why})` : ''}: status prints core's line; hints its advice`, () => {
      assert.equal(rollbackLine(view), line)
      assert.equal(describeRollback(view), advice)
      const status = {
        service: 'api',
        provider: 'haproxy',
        router: { present: true },
        served: true,
        weights: { blue: 0, green: 100 },
        colours: [],
        rollback: view,
        lock: null,
      } as unknown as StatusResult
      assert.ok(renderStatus(status).split('\n').includes(`rollback: ${line}`), renderStatus(status))
    })
  }
})
