/**
 * Nodes removed outside gwdeploy (a Deployment deleted, containers removed, instances terminated):
 * `status` says nothing is served when every colour that gets traffic has none left, and what
 * `rollback` would do when the colour kept for it is gone. Decided here, once, from what the
 * provider reports (its nodes `gone`, or `fleetless`).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { renderStatus } from '../../src/commands/status.ts'
import { release, rollback } from '../../src/core/engine.ts'
import { nothingServed, retire, status } from '../../src/core/operations.ts'
import { listRecords } from '../../src/core/records.ts'
import { unhealthyServing } from '../../src/core/wait.ts'
import { type Harness, makeHarness, sha } from './helpers/engine-harness.ts'

describe('status when nodes were removed outside gwdeploy', () => {
  let h: Harness
  before(async () => {
    h = await makeHarness({ shift: { bake: 0 } })
    for (const n of [1, 2]) assert.equal((await h.run((ctx) => release(ctx, { sha: sha(n) }))).code, 0)
  })
  after(async () => {
    await h.cleanup()
  })

  const read = async () => {
    const warnings: string[] = []
    const result = await status(h.target, undefined, (message) => warnings.push(message))
    return { result, warnings }
  }
  const live = () => (h.world.weights.blue === 100 ? 'blue' : 'green')
  const kept = () => (live() === 'blue' ? 'green' : 'blue')

  it('all is well: rollback would switch to the kept colour, nothing is said', async () => {
    const { result, warnings } = await read()
    assert.deepEqual(result.rollback, { sha: sha(1), how: 'switch', colour: kept() })
    assert.equal(nothingServed(result), undefined)
    assert.deepEqual(warnings, [])
  })

  it('every node of the live colour gone: nothing is served, with rollback and the re-release as ways out', async () => {
    const fleet = h.world.fleets[live()]
    const saved = structuredClone(fleet)
    for (const node of fleet?.nodes ?? []) await h.world.kill(node.id)
    const nothing = nothingServed((await read()).result)
    assert.equal(
      nothing?.why,
      `${live()} (0202020) gets 100% of requests, but none of its 2 node(s) is left (${saved?.nodes[0]?.id}: gone)`,
    )
    assert.equal(
      nothing?.hint,
      `\`gwdeploy rollback\` switches all traffic to ${kept()} (0101010); or \`gwdeploy release --sha ${sha(2)}\` brings 0202020 back.`,
    )
    assert.equal((await h.run((ctx) => release(ctx, { sha: sha(2) }))).code, 0, 'the way out it names')
    assert.equal(nothingServed((await read()).result), undefined)
  })

  it("the live colour's fleet removed while the router still sends it traffic: nothing is served, in the provider's words", async () => {
    const colour = live()
    h.world.fleetless = [
      { colour, weight: 100, why: 'its Deployment does not exist', restore: '`kubectl apply`' },
    ]
    const fleet = h.world.fleets[colour]
    const weights = { ...h.world.weights }
    delete h.world.fleets[colour]
    h.world.weights = { blue: 0, green: 0 }
    try {
      const { result } = await read()
      const nothing = nothingServed(result)
      assert.equal(nothing?.why, `${colour} gets 100% of requests, but its Deployment does not exist`)
      assert.equal(nothing?.sha, sha(2))
      assert.match(nothing?.hint ?? '', /`gwdeploy rollback` switches all traffic to \w+ \(0101010\)/)
      assert.match(nothing?.hint ?? '', /; or `kubectl apply`\.$/)
    } finally {
      h.world.fleetless = []
      if (fleet) h.world.fleets[colour] = fleet
      h.world.weights = weights
    }
  })

  it('half the traffic to a colour whose fleet was removed, the other half served: exit 4 naming it, not "nothing served"', async () => {
    const colour = kept()
    const weights = { ...h.world.weights }
    h.world.fleetless = [{ colour, weight: 50, why: 'its containers were removed' }]
    h.world.weights = { ...weights, [live()]: 50 }
    try {
      const { result } = await read()
      assert.equal(nothingServed(result), undefined)
      assert.deepEqual(unhealthyServing(result), [`${colour} (50% of traffic): its containers were removed`])
    } finally {
      h.world.fleetless = []
      h.world.weights = weights
    }
  })

  it('the colour kept for rollback removed: status says rollback redeploys it, not a switch', async () => {
    const colour = kept()
    const fleet = h.world.fleets[colour]
    for (const node of fleet?.nodes ?? []) await h.world.kill(node.id)
    delete h.world.fleets[colour]
    const { result, warnings } = await read()
    assert.deepEqual(result.rollback, { sha: sha(1), how: 'redeploy' })
    assert.equal(nothingServed(result), undefined, 'the live colour serves')
    // Its annotation went with it: finalize set it at the newest record's time, for shift.keep.
    const [newest] = await listRecords(h.target, 1)
    const until = new Date(Date.parse(newest?.time ?? '') + h.target.config.shift.keep).toISOString()
    assert.deepEqual(warnings, [
      `${colour} (0101010) is kept for rollback until ${until}, but no ${colour} node runs it any more (removed outside gwdeploy): \`gwdeploy rollback\` redeploys 0101010 as recorded (a new deploy, not an instant switch)`,
    ])
  })

  it('the kept colour scaled away in a way its provider names (fleetless, weight 0): its words and its own way back', async () => {
    const colour = kept()
    const keepUntil = '2099-01-01T00:00:00.000Z'
    h.world.fleetless = [{ colour, weight: 0, keepUntil, why: 'X has 0 replicas', restore: '`scale X`' }]
    try {
      assert.deepEqual((await read()).warnings, [
        `${colour} (0101010) is kept for rollback until ${keepUntil}, but X has 0 replicas: \`gwdeploy rollback\` redeploys 0101010 as recorded (a new deploy, not an instant switch); \`scale X\` makes it a switch again`,
      ])
    } finally {
      h.world.fleetless = []
    }
  })

  it('a kept colour retired by gwdeploy is not "removed"', async () => {
    assert.equal((await h.run((ctx) => release(ctx, { sha: sha(3) }))).code, 0)
    assert.equal((await h.run((ctx) => retire(ctx, {}))).code, 0)
    const { result, warnings } = await read()
    assert.deepEqual(result.rollback, { sha: sha(2), how: 'redeploy' })
    assert.deepEqual(warnings, [])
  })
})

describe('status when the kept colour has no live node (its nodes died, nothing removed)', () => {
  let h: Harness
  before(async () => {
    h = await makeHarness({ shift: { bake: 0 } })
    for (const n of [1, 2, 3]) assert.equal((await h.run((ctx) => release(ctx, { sha: sha(n) }))).code, 0)
  })
  after(async () => {
    await h.cleanup()
  })

  const read = async () => {
    const warnings: string[] = []
    const result = await status(h.target, undefined, (message) => warnings.push(message))
    return { result, warnings }
  }
  const live = () => (h.world.weights.blue === 100 ? 'blue' : 'green')
  const kept = () => (live() === 'blue' ? 'green' : 'blue')
  const keptView = (result: Awaited<ReturnType<typeof read>>['result']) =>
    result.colours.find((c) => c.colour === kept())

  it('every node of the kept colour unhealthy: no "switches to", the warning says rollback redeploys it', async () => {
    const colour = kept()
    const first = h.world.fleets[colour]?.nodes[0]?.id
    h.world.setHealthy(colour, false)
    const { result, warnings } = await read()
    assert.deepEqual(result.rollback, { sha: sha(2), how: 'redeploy' })
    assert.equal(keptView(result)?.noLiveNode, true)
    assert.match(
      renderStatus(result),
      new RegExp(`${colour} \\[previous 0%\\] 0202020 "fake rev-0202020", kept until \\S+, NO LIVE NODE\\n`),
    )
    assert.match(renderStatus(result), /rollback: redeploys 0202020 as recorded/)
    assert.deepEqual(warnings, [
      `${colour} (0202020) is kept for rollback until ${keptView(result)?.keepUntil}, but none of its 2 node(s) is live (${first}: unhealthy): \`gwdeploy rollback\` redeploys 0202020 as recorded (a new deploy, not an instant switch)`,
    ])
    // Its nodes answer again: a switch, as status then says; the rollback leaves 0303030 kept.
    h.world.setHealthy(colour, true)
    assert.deepEqual((await read()).result.rollback, { sha: sha(2), how: 'switch', colour })
    const back = await h.run((ctx) => rollback(ctx, {}))
    assert.equal(back.code, 0, back.error?.message)
    assert.equal(live(), colour)
  })

  it('the colour a rollback left, then all its nodes die: said, with --to and retire, not kept silently', async () => {
    const colour = kept()
    assert.equal(h.world.fleets[colour]?.sha, sha(3))
    const ids = h.world.fleets[colour]?.nodes.map((n) => n.id) ?? []
    for (const id of ids) await h.world.kill(id)
    const { result, warnings } = await read()
    const [newest] = await listRecords(h.target, 1)
    assert.equal(newest?.operation, 'rollback')
    assert.deepEqual(result.rollback, { sha: sha(1), how: 'redeploy' })
    assert.equal(keptView(result)?.noLiveNode, true)
    assert.deepEqual(warnings, [
      `${colour} (0303030) is kept (left by the rollback at ${newest?.time}) until ${keptView(result)?.keepUntil}, but none of its 2 node(s) is left (${ids[0]}: gone): it is no instant switch any more — \`gwdeploy rollback --to ${sha(3)}\` redeploys 0303030 as recorded (a new deploy), \`gwdeploy retire\` removes it`,
    ])
  })

  it('past its keep window: "was kept … (expired)", in the warning and the colour line; retire clears it', async () => {
    const colour = kept()
    const fleet = h.world.fleets[colour]
    assert.ok(fleet)
    const past = new Date(Date.now() - 60_000).toISOString()
    fleet.keepUntil = past
    const { result, warnings } = await read()
    assert.equal(keptView(result)?.keepUntil, past)
    assert.match(
      warnings[0] ?? '',
      new RegExp(
        `^${colour} \\(0303030\\) was kept \\(left by the rollback at \\S+\\) until ${past.replace(/\./g, '\\.')} \\(expired\\), but none of its 2 node\\(s\\) is left`,
      ),
    )
    assert.match(
      renderStatus(result),
      new RegExp(
        `, kept until ${past.replace(/\./g, '\\.')} \\(expired: \`gwdeploy retire\`\\), NO LIVE NODE\\n`,
      ),
    )
    assert.equal((await h.run((ctx) => retire(ctx, {}))).code, 0)
    assert.deepEqual((await read()).warnings, [])
  })
})
