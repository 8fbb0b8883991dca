import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { planRelease, servingColour, splitWeights } from '../../src/core/engine.ts'
import type { Fleet } from '../../src/providers/types.ts'

const fleet = (colour: 'blue' | 'green', sha: string): Fleet => ({
  colour,
  sha,
  configName: `svc rev-${sha.slice(0, 7)}`,
  configDigest: `sha256:${sha}`,
  nodes: [],
})
const artifact = (sha: string) => ({ sha, configDigest: `sha256:${sha}` })

describe('planRelease', () => {
  it('first release goes to blue', () => {
    const plan = planRelease({ fleets: {}, weights: { blue: 0, green: 0 } }, artifact('a'))
    assert.deepEqual(plan, {
      green: 'blue',
      serving: null,
      unchanged: false,
      revertFirst: false,
      replace: undefined,
    })
  })

  it('the same SHA at 100% is unchanged', () => {
    const plan = planRelease(
      { fleets: { blue: fleet('blue', 'a') }, weights: { blue: 100, green: 0 } },
      artifact('a'),
    )
    assert.equal(plan.unchanged, true)
  })

  it('a new SHA goes to the idle colour, replacing what idles there', () => {
    const plan = planRelease(
      {
        fleets: { blue: fleet('blue', 'a'), green: fleet('green', 'old') },
        weights: { blue: 100, green: 0 },
      },
      artifact('b'),
    )
    assert.equal(plan.green, 'green')
    assert.equal(plan.serving, 'blue')
    assert.equal(plan.replace?.sha, 'old')
    assert.equal(plan.revertFirst, false)
  })

  it('resumes a half-done shift of the same SHA without replacing it', () => {
    const plan = planRelease(
      { fleets: { blue: fleet('blue', 'a'), green: fleet('green', 'b') }, weights: { blue: 40, green: 60 } },
      artifact('b'),
    )
    assert.deepEqual(plan, {
      green: 'green',
      serving: 'blue',
      unchanged: false,
      revertFirst: false,
      replace: undefined,
    })
  })

  it('an abandoned shift of another SHA is reverted to the serving colour first', () => {
    const plan = planRelease(
      { fleets: { blue: fleet('blue', 'a'), green: fleet('green', 'x') }, weights: { blue: 90, green: 10 } },
      artifact('c'),
    )
    assert.equal(plan.green, 'green')
    assert.equal(plan.serving, 'blue')
    assert.equal(plan.revertFirst, true)
    assert.equal(plan.replace?.sha, 'x')
  })

  it('a previous colour that already runs the SHA is reused (roll forward after rollback)', () => {
    const plan = planRelease(
      { fleets: { blue: fleet('blue', 'a'), green: fleet('green', 'b') }, weights: { blue: 100, green: 0 } },
      artifact('b'),
    )
    assert.equal(plan.green, 'green')
    assert.equal(plan.replace, undefined)
  })

  it('weights helpers', () => {
    assert.equal(servingColour({ blue: 0, green: 0 }), null)
    assert.equal(servingColour({ blue: 10, green: 90 }), 'green')
    assert.deepEqual(splitWeights('green', 10, true), { blue: 90, green: 10 })
    assert.deepEqual(splitWeights('blue', 100, false), { blue: 100, green: 0 })
  })
})
