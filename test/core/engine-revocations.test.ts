/**
 * Revocations follow traffic (src/core/release/revocations.ts), in-process over the fake provider
 * whose nodes run the runtime's real revocation service: what the serving colour revoked is in
 * every node of the next colour before the first route gives it traffic, a node that cannot take
 * it fails the gate with traffic untouched, a rollback goes back whatever happens, a node that
 * replaces a gone one gets what the others hold.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { type EngineContext, release, rollback } from '../../src/core/engine.ts'
import { revoke } from '../../src/core/revoke.ts'
import type { Colour, Weights } from '../../src/providers/types.ts'
import { type Harness, makeHarness, messages, sha } from './helpers/engine-harness.ts'
import { GATEWAY_CONFIG } from './helpers/project.ts'

const elem = (s: string) => new TextEncoder().encode(s)
const releaseOf = (n: number) => (ctx: EngineContext) => release(ctx, { sha: sha(n) })

describe('revocations follow traffic (fake provider, real revocation services)', () => {
  let h: Harness
  const writeGateway = (revoker: Record<string, unknown>) =>
    writeFile(
      join(h.dir, 'gateway.json'),
      JSON.stringify({
        ...GATEWAY_CONFIG,
        name: 'fake',
        extra_config: {
          'auth/revoker': {
            n: 1000,
            p: 0.001,
            hash_name: 'optimal',
            ttl: 3600,
            port: 0,
            token_keys: ['jti'],
            ...revoker,
          },
        },
      }),
    )
  /** Whether every node of `colour` refuses `token` now. */
  const revokedOn = (colour: Colour, token: string) => {
    const filters = h.world.filters(colour)
    assert.ok(filters.length > 0, `${colour} runs no revocation service`)
    return filters.every((f) => f.check(elem(token)))
  }
  /** Each route's weights with whether `colour` refused `token` at that moment. */
  const watchRoutes = (colour: Colour, token: string) => {
    const seen: Array<{ weights: Weights; revoked: boolean }> = []
    h.provider.onRoute = (weights) => seen.push({ weights, revoked: revokedOn(colour, token) })
    return seen
  }

  beforeEach(async () => {
    h = await makeHarness()
    await writeGateway({})
    const first = await h.run(releaseOf(1))
    assert.equal(first.code, 0, first.error?.message)
    for (const filter of h.world.filters('blue')) filter.add(elem('revoked-on-blue'))
  })
  afterEach(async () => {
    await h.cleanup()
  })

  it('green refuses what blue refused before its first route; what blue took during the shift follows after', async () => {
    const routes = watchRoutes('green', 'revoked-on-blue')
    // Revoked on blue while green bakes at 10%: the carry after the last route brings it over.
    let added = false
    const onRoute = h.provider.onRoute
    h.provider.onRoute = (weights) => {
      onRoute?.(weights)
      if (weights.green === 10 && !added) {
        added = true
        for (const filter of h.world.filters('blue')) filter.add(elem('revoked-during-shift'))
      }
    }
    const second = await h.run(releaseOf(2))
    assert.equal(second.code, 0, second.error?.message)
    assert.deepEqual(
      routes.map((r) => [r.weights.green, r.revoked]),
      [
        [10, true],
        [50, true],
        [100, true],
      ],
    )
    assert.deepEqual(second.result?.plan?.actions.slice(-2), [
      "carry auth/revoker's revocations from blue into green",
      'shift traffic to green: 10% -> 50% -> 100%',
    ])
    assert.equal(revokedOn('green', 'revoked-during-shift'), true)
    assert.equal(revokedOn('green', 'never-revoked'), false)
    assert.ok(
      messages(second.events).some(
        (m) => m === 'auth/revoker: revocations of 2 node(s) carried from blue into green (2 node(s))',
      ),
      messages(second.events).join('\n'),
    )
  })

  it('a green node that cannot take the revocations fails the gate: no traffic moved, green torn down', async () => {
    const provision = h.provider.provision.bind(h.provider)
    h.provider.provision = async (spec) => {
      const fleet = await provision(spec)
      if (spec.colour === 'green') await h.world.stopRevokers('green')
      return fleet
    }
    const second = await h.run(releaseOf(2))
    assert.equal(second.code, 4, second.error?.message)
    assert.match(
      second.error?.message ?? '',
      /auth\/revoker: green did not take the revocations of blue: green-\d+ \(127\.0\.0\.1:\d+\): .*ECONNREFUSED/,
    )
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
    assert.ok(
      h.world.routes.every((w) => w.green === 0),
      JSON.stringify(h.world.routes),
    )
    assert.equal(h.world.fleets.green, undefined)
    assert.equal(h.world.records[0]?.status, 'failed')
  })

  it('a rollback switches back even when the colour it goes to cannot take the revocations (a warning)', async () => {
    const second = await h.run(releaseOf(2))
    assert.equal(second.code, 0, second.error?.message)
    for (const filter of h.world.filters('green')) filter.add(elem('revoked-on-green'))
    const routes = watchRoutes('blue', 'revoked-on-green')
    const back = await h.run((ctx) => rollback(ctx, {}))
    assert.equal(back.code, 0, back.error?.message)
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
    assert.deepEqual(
      routes.map((r) => r.revoked),
      [true],
      'blue refused it before the switch',
    )

    for (const filter of h.world.filters('blue')) filter.add(elem('revoked-on-blue-again'))
    await h.world.stopRevokers('green')
    const forward = await h.run((ctx) => rollback(ctx, { to: sha(2) }))
    assert.equal(forward.code, 0, forward.error?.message)
    assert.deepEqual(h.world.weights, { blue: 0, green: 100 })
    assert.ok(
      messages(forward.events).some((m) =>
        /^auth\/revoker: green did not take the revocations of blue: .*ECONNREFUSED/.test(m),
      ),
      messages(forward.events).join('\n'),
    )
  })

  it('a release whose filter is sized differently cannot take the bits: it goes on, and says so', async () => {
    await writeGateway({ n: 2000 })
    const second = await h.run(releaseOf(2))
    assert.equal(second.code, 0, second.error?.message)
    assert.equal(revokedOn('green', 'revoked-on-blue'), false)
    const warned = messages(second.events).find((m) => m.includes('cannot be carried, the filters differ'))
    assert.match(warned ?? '', /different n values 1000 vs\. 2000/)
    assert.match(warned ?? '', /send revocations to green again/)
  })

  it('a node that replaces a gone one of the live colour gets what the others hold', async () => {
    const [dead, alive] = h.world.fleets.blue?.nodes ?? []
    await h.world.kill(dead?.id ?? '')
    const again = await h.run(releaseOf(1))
    assert.equal(again.code, 0, again.error?.message)
    const nodes = h.world.fleets.blue?.nodes.map((n) => n.id) ?? []
    assert.equal(nodes.length, 2)
    assert.ok(nodes.includes(alive?.id ?? '') && !nodes.includes(dead?.id ?? ''), nodes.join())
    assert.equal(revokedOn('blue', 'revoked-on-blue'), true)
  })

  it('a release whose config has no revoker asks no node for revocations', async () => {
    await writeFile(join(h.dir, 'gateway.json'), JSON.stringify({ ...GATEWAY_CONFIG, name: 'fake' }))
    const asked: Colour[] = []
    const endpoints = h.provider.revokerEndpoints.bind(h.provider)
    h.provider.revokerEndpoints = (fleet) => {
      asked.push(fleet.colour)
      return endpoints(fleet)
    }
    const second = await h.run(releaseOf(2))
    assert.equal(second.code, 0, second.error?.message)
    assert.deepEqual(h.world.weights, { blue: 0, green: 100 })
    assert.deepEqual(asked, [])
  })

  it('a provider that cannot reach its nodes carries nothing and says so', async () => {
    Object.defineProperty(h.provider, 'revokerEndpoints', { value: undefined })
    const second = await h.run(releaseOf(2))
    assert.equal(second.code, 0, second.error?.message)
    assert.equal(revokedOn('green', 'revoked-on-blue'), false)
    const told = messages(second.events).filter((m) =>
      m.startsWith(
        "auth/revoker: revocations held by blue into green are not carried: local nodes' revoker ports are not reachable",
      ),
    )
    assert.equal(told.length, 1, messages(second.events).join('\n'))
  })

  it('nodes that pull revocations themselves (aws): said once per release, nothing carried, no warning', async () => {
    Object.defineProperty(h.provider, 'revokerEndpoints', { value: undefined })
    ;(h.provider.capabilities as { nodesPullRevocations?: boolean }).nodesPullRevocations = true
    const second = await h.run(releaseOf(2))
    assert.equal(second.code, 0, second.error?.message)
    assert.equal(
      second.result?.plan?.actions.at(-2),
      "green's nodes take auth/revoker's revocations from the running nodes before serving",
    )
    assert.deepEqual(
      messages(second.events).filter((m) => m.startsWith('auth/revoker')),
      [
        "auth/revoker: local nodes pull each other's revocations themselves: green's took the running nodes' before serving, and the nodes keep pulling from each other while both colours run",
      ],
    )
    assert.deepEqual(
      second.events.filter((e) => e.type === 'warn' && e.message.startsWith('auth/revoker')),
      [],
    )
    // The fake nodes do not pull: nothing was carried for them.
    assert.equal(revokedOn('green', 'revoked-on-blue'), false)
  })

  it('a rollback on nodes that pull revocations themselves says blue pulled from green while both ran', async () => {
    const second = await h.run(releaseOf(2))
    assert.equal(second.code, 0, second.error?.message)
    Object.defineProperty(h.provider, 'revokerEndpoints', { value: undefined })
    ;(h.provider.capabilities as { nodesPullRevocations?: boolean }).nodesPullRevocations = true
    const back = await h.run((ctx) => rollback(ctx, {}))
    assert.equal(back.code, 0, back.error?.message)
    assert.deepEqual(
      messages(back.events).filter((m) => m.startsWith('auth/revoker')),
      [
        "auth/revoker: local nodes pull each other's revocations themselves: blue's have pulled from green's while both ran (a runtime from before they pulled back does not)",
      ],
    )
    assert.deepEqual(
      back.events.filter((e) => e.type === 'warn' && e.message.startsWith('auth/revoker')),
      [],
    )
  })

  it('gwdeploy revoke: every node of both colours; a provider that cannot reach them is exit 6 and adds nothing', async () => {
    const second = await h.run(releaseOf(2))
    assert.equal(second.code, 0, second.error?.message)
    const added = await h.run((ctx) => revoke(ctx, { claims: ['jti=by-cli'], check: false }))
    assert.equal(added.code, 0, added.error?.message)
    assert.deepEqual(
      added.result?.nodes.map((n) => n.colour),
      ['blue', 'blue', 'green', 'green'],
    )
    assert.equal(revokedOn('blue', 'jti-by-cli') && revokedOn('green', 'jti-by-cli'), true)

    Object.defineProperty(h.provider, 'revokerEndpoints', { value: undefined })
    const unreachable = await h.run((ctx) => revoke(ctx, { claims: ['jti=unreachable'], check: false }))
    assert.equal(unreachable.code, 6)
    assert.match(
      unreachable.error?.message ?? '',
      /local nodes' revoker ports are not reachable from gwdeploy/,
    )
    assert.equal(revokedOn('blue', 'jti-unreachable') || revokedOn('green', 'jti-unreachable'), false)
  })

  it('gwdeploy revoke reads token_keys written in another case, as the nodes (encoding/json) read it', async () => {
    await writeGateway({ token_keys: undefined, Token_Keys: ['jti'] })
    const second = await h.run(releaseOf(2))
    assert.equal(second.code, 0, second.error?.message)
    const added = await h.run((ctx) => revoke(ctx, { claims: ['jti=folded'], check: false }))
    assert.equal(added.code, 0, added.error?.message)
    assert.equal(revokedOn('green', 'jti-folded'), true)
    const other = await h.run((ctx) => revoke(ctx, { claims: ['sub=x'], check: false }))
    assert.equal(other.code, 2)
    assert.match(other.error?.message ?? '', /looks up "jti" only/)
  })
})
