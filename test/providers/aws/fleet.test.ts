/**
 * toFleet (pure): the target group's tags record fleet.size, so instances terminated behind
 * gwdeploy's back still count as nodes (gone) — the terminated ones AWS still lists, then
 * `missing-N` placeholders once AWS has forgotten them (about an hour after termination).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type InstanceInfo, toFleet } from '../../../src/providers/aws/instances.ts'
import { TAG } from '../../../src/providers/aws/names.ts'

const SHA = 'a'.repeat(40)
const group = (tags: Record<string, string> = {}) => ({
  arn: 'arn:tg',
  tags: { [TAG.sha]: SHA, [TAG.configDigest]: 'd1', [TAG.configName]: 'n', [TAG.size]: '3', ...tags },
})
const instance = (id: string, state: string, sha = SHA, launched = 0): InstanceInfo => ({
  id,
  state,
  subnet: 's',
  securityGroups: [],
  launchTime: new Date(launched),
  tags: { [TAG.colour]: 'blue', [TAG.sha]: sha, [TAG.configDigest]: 'd1' },
})

describe('aws toFleet: the recorded fleet.size keeps terminated instances visible as nodes', () => {
  it('all instances forgotten by AWS: placeholders up to the recorded size, never an empty fleet', () => {
    const fleet = toFleet('blue', group(), [])
    assert.deepEqual(
      fleet?.nodes.map((n) => n.id),
      ['missing-1', 'missing-2', 'missing-3'],
    )
  })

  it('live ones first, then the release own terminated ones (newest), then placeholders', () => {
    const fleet = toFleet('blue', group(), [
      instance('i-live', 'running'),
      instance('i-old', 'terminated', SHA, 1),
      instance('i-new', 'terminated', SHA, 2),
      instance('i-other-release', 'terminated', 'b'.repeat(40), 3),
    ])
    assert.deepEqual(
      fleet?.nodes.map((n) => n.id),
      ['i-live', 'i-new', 'i-old'],
    )
  })

  it('as many live instances as recorded: no gone node; a group from before the size tag: as found', () => {
    const full = toFleet('blue', group({ [TAG.size]: '1' }), [
      instance('i-live', 'running'),
      instance('i-gone', 'terminated'),
    ])
    assert.deepEqual(
      full?.nodes.map((n) => n.id),
      ['i-live'],
    )
    const { [TAG.size]: _, ...untagged } = group().tags
    const old = toFleet('blue', { arn: 'arn:tg', tags: untagged }, [instance('i-live', 'running')])
    assert.deepEqual(
      old?.nodes.map((n) => n.id),
      ['i-live'],
    )
  })
})
