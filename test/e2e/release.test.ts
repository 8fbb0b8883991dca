import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isAlive, liveName, makeProject, type Project, sha } from '../core/helpers/project.ts'

describe('release -> status -> release -> rollback -> promote -> retire -> history (local provider, CLI subprocess)', () => {
  let project: Project
  before(async () => {
    project = await makeProject({ size: 2 })
  })
  after(async () => {
    await project?.cleanup()
  })

  it('releases the first SHA onto blue and the front answers its stamped name', async () => {
    const { code, envelope } = await project.json<{
      status: string
      result: { status: string; colour: string; configName: string }
    }>(['release', '--sha', sha(1)])
    assert.equal(code, 0)
    assert.equal(envelope.status, 'ok')
    assert.equal(envelope.result.status, 'released')
    assert.equal(envelope.result.colour, 'blue')
    assert.equal(envelope.result.configName, `e2e rev-${sha(1).slice(0, 7)}`)
    assert.equal(await liveName(project.port), `e2e rev-${sha(1).slice(0, 7)}`)
  })

  it('does nothing when the SHA is already live (exit 0)', async () => {
    const { code, envelope } = await project.json<{ result: { status: string } }>([
      'release',
      '--sha',
      sha(1),
    ])
    assert.equal(code, 0)
    assert.equal(envelope.result.status, 'unchanged')
  })

  it('--dry-run prints the plan and changes nothing', async () => {
    const result = await project.run(['release', '--sha', sha(2), '--dry-run'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /provision 2 node\(s\) on green/)
    assert.equal(await project.fleet('green'), undefined)
  })

  it('releases a second SHA onto green with steps, keeping blue as previous', async () => {
    const result = await project.run(['release', '--sha', sha(2), '--steps', '10,50,100'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /traffic: blue 90%, green 10%/)
    assert.match(result.stderr, /traffic: blue 50%, green 50%/)
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
    const blue = await project.fleet('blue')
    assert.ok(
      blue?.nodes.every((n) => isAlive(n.pid)),
      'blue stays up for rollback',
    )
  })

  it('status shows both colours, weights, names and per-node health', async () => {
    const { code, envelope } = await project.json<{
      result: {
        weights: Record<string, number>
        colours: Array<{
          colour: string
          role: string
          configName: string
          nodes: Array<{ health: { ok: boolean; name: string } }>
        }>
      }
    }>(['status'])
    assert.equal(code, 0)
    assert.deepEqual(envelope.result.weights, { blue: 0, green: 100 })
    const roles = Object.fromEntries(envelope.result.colours.map((c) => [c.colour, c.role]))
    assert.deepEqual(roles, { blue: 'previous', green: 'live' })
    for (const colour of envelope.result.colours) {
      for (const node of colour.nodes) {
        assert.equal(node.health.ok, true)
        assert.equal(node.health.name, colour.configName)
      }
    }
  })

  it('rollback switches back to blue', async () => {
    const { code, envelope } = await project.json<{ result: { status: string; colour: string } }>([
      'rollback',
    ])
    assert.equal(code, 0)
    assert.equal(envelope.result.status, 'switched')
    assert.equal(envelope.result.colour, 'blue')
    assert.equal(await liveName(project.port), `e2e rev-${sha(1).slice(0, 7)}`)
  })

  it('release --no-shift brings green up for preview only; promote shifts it', async () => {
    const preview = await project.json<{ result: { status: string; preview: string; colour: string } }>([
      'release',
      '--sha',
      sha(3),
      '--no-shift',
    ])
    assert.equal(preview.code, 0)
    assert.equal(preview.envelope.result.status, 'preview')
    assert.equal(await liveName(project.port), `e2e rev-${sha(1).slice(0, 7)}`, 'live traffic untouched')
    const viaPreview = await fetch(`${preview.envelope.result.preview}/__health`).then(
      (r) => r.json() as Promise<{ name: string }>,
    )
    assert.equal(viaPreview.name, `e2e rev-${sha(3).slice(0, 7)}`)
    const half = await project.json<{ result: { weights: Record<string, number> } }>([
      'promote',
      '--weight',
      '50',
    ])
    assert.equal(half.code, 0)
    assert.deepEqual(half.envelope.result.weights, { blue: 50, green: 50 })
    const full = await project.json<{ result: { weights: Record<string, number> } }>(['promote'])
    assert.equal(full.code, 0)
    assert.deepEqual(full.envelope.result.weights, { blue: 0, green: 100 })
    assert.equal(await liveName(project.port), `e2e rev-${sha(3).slice(0, 7)}`)
  })

  it('retire tears down the idle colour, never the live one', async () => {
    const blue = await project.fleet('blue')
    const { code, envelope } = await project.json<{ result: { retired: { colour: string } } }>(['retire'])
    assert.equal(code, 0)
    assert.equal(envelope.result.retired.colour, 'blue')
    assert.ok(blue?.nodes.every((n) => !isAlive(n.pid)))
    assert.equal(await liveName(project.port), `e2e rev-${sha(3).slice(0, 7)}`)
    const again = await project.json<{ result: { retired: null } }>(['retire'])
    assert.equal(again.envelope.result.retired, null)
  })

  it('rollback without a previous colour re-releases the previous SHA from its artifact', async () => {
    const { code, envelope } = await project.json<{ result: { sha: string; colour: string } }>(['rollback'])
    assert.equal(code, 0)
    assert.equal(envelope.result.sha, sha(1))
    assert.equal(await liveName(project.port), `e2e rev-${sha(1).slice(0, 7)}`)
  })

  it('history lists every operation, newest first', async () => {
    const { envelope } = await project.json<{ result: Array<{ operation: string; status: string }> }>([
      'history',
    ])
    const ops = envelope.result.map((e) => `${e.operation}:${e.status}`)
    assert.deepEqual(
      ops,
      [
        'release:released',
        'release:released',
        'rollback:switched',
        // The preview goes onto the idle colour: it retires the release kept there first (as part of it).
        'retire:started',
        'retire:retired',
        'release:preview',
        'promote:preview',
        'promote:released',
        // Its intent, written before it stops anything (a retire killed part-way is not a hand removal).
        'retire:started',
        'retire:retired',
        // Its colour was retired: the recorded artifact was released again, not switched to.
        'rollback:released',
      ].reverse(),
    )
  })
})
