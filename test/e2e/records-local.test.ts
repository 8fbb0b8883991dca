/**
 * Release records live with the target (local provider: its state dir). Release from one working
 * copy, then run history / rollback --to / status from a second one that has only gwdeploy.yml
 * and gateway.json (no local cache): the second copy redeploys exactly what was released then.
 */
import assert from 'node:assert/strict'
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { GATEWAY_CONFIG, liveName, makeProject, type Project, sha } from '../core/helpers/project.ts'

const withEndpoint = (path: string) => ({
  ...GATEWAY_CONFIG,
  endpoints: [
    { endpoint: path, method: 'GET', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/x' }] },
  ],
})

describe('records on the local target: history, rollback --to and status from a second working copy', () => {
  let first: Project
  let second: Project
  let target: string
  before(async () => {
    target = await mkdtemp(join(tmpdir(), 'gwd-target-'))
    first = await makeProject({ size: 1 })
    second = await makeProject({ size: 1 })
    for (const project of [first, second]) {
      const config = {
        service: 'e2e',
        gateway: { config: 'gateway.json' },
        fleet: { size: 1 },
        health: { interval: '100ms', timeout: '1s', rise: 1, deadline: '20s' },
        provider: { kind: 'local', local: { listen: `127.0.0.1:${first.port}`, stateDir: target } },
      }
      await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
    }
  })
  after(async () => {
    await second?.run(['destroy', '--force', '--lock-wait=30s'])
    await first?.cleanup()
    await second?.cleanup()
    await rm(target, { recursive: true, force: true })
  })

  it('releases two SHAs with different configs from the first copy', async () => {
    await writeFile(join(first.dir, 'gateway.json'), JSON.stringify(withEndpoint('/v1/old')))
    assert.equal((await first.run(['release', '--sha', sha(1)])).code, 0)
    await writeFile(join(first.dir, 'gateway.json'), JSON.stringify(withEndpoint('/v1/new')))
    assert.equal((await first.run(['release', '--sha', sha(2)])).code, 0)
    assert.equal(await liveName(first.port), `e2e rev-${sha(2).slice(0, 7)}`)
    // The second copy has today's files only; the local cache (history.jsonl, artifacts) is gone.
    await cp(join(first.dir, 'gateway.json'), join(second.dir, 'gateway.json'))
    await rm(join(target, 'history.jsonl'), { force: true })
    await rm(join(target, 'artifacts'), { recursive: true, force: true })
    const records = await readdir(join(target, 'records'))
    assert.equal(records.length, 2)
  })

  it('history from the second copy lists the releases newest first (--json)', async () => {
    const { code, envelope } = await second.json<{
      result: Array<{ sha: string; status: string; configName: string; configText?: string }>
    }>(['history'])
    assert.equal(code, 0)
    assert.deepEqual(
      envelope.result.map((e) => [e.sha, e.status]),
      [
        [sha(2), 'released'],
        [sha(1), 'released'],
      ],
    )
    assert.ok(
      envelope.result.every((e) => e.configText === undefined),
      'history does not dump configs',
    )
  })

  it('status from the second copy names the last release', async () => {
    const { code, envelope } = await second.json<{ result: { lastRelease?: { sha: string } } }>(['status'])
    assert.equal(code, 0)
    assert.equal(envelope.result.lastRelease?.sha, sha(2))
  })

  it('rollback --to an unrecorded SHA is refused (exit 2), nothing changes', async () => {
    const result = await second.run(['rollback', '--to', sha(7)])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /no release of .* is recorded on the target/)
    assert.equal(await liveName(first.port), `e2e rev-${sha(2).slice(0, 7)}`)
  })

  it('rollback --to the first SHA after its colour is retired redeploys its recorded config', async () => {
    assert.equal((await second.run(['retire'])).code, 0)
    const result = await second.run(['rollback', '--to', sha(1).slice(0, 7)])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(await liveName(first.port), `e2e rev-${sha(1).slice(0, 7)}`)
    // The old endpoint is served (its backend is down: 500), today's is not (404).
    assert.notEqual((await fetch(`http://127.0.0.1:${first.port}/v1/old`)).status, 404)
    assert.equal((await fetch(`http://127.0.0.1:${first.port}/v1/new`)).status, 404)
    const { envelope } = await second.json<{ result: { lastRelease?: { sha: string; operation: string } } }>([
      'status',
    ])
    assert.equal(envelope.result.lastRelease?.sha, sha(1))
    assert.equal(envelope.result.lastRelease?.operation, 'rollback')
  })

  it('the record on the target carries the stamped config', async () => {
    const names = (await readdir(join(target, 'records'))).sort()
    const record = JSON.parse(await readFile(join(target, 'records', names[0] as string), 'utf8'))
    assert.equal(record.sha, sha(1))
    assert.match(record.configText, /\/v1\/old/)
    assert.match(record.configText, new RegExp(`rev-${sha(1).slice(0, 7)}`))
  })

  it("release --dry-run from the second copy diffs today's config against the live one", async () => {
    const summary = join(second.dir, 'summary.md')
    const text = await second.run(['release', '--sha', sha(3), '--dry-run'], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    })
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, new RegExp(`gateway config against live e2e rev-${sha(1).slice(0, 7)}`))
    assert.match(text.stdout, /\+ GET \/v1\/new/)
    assert.match(text.stdout, /- GET \/v1\/old/)
    const markdown = await readFile(summary, 'utf8')
    assert.match(markdown, /### Gateway config changes/)
    assert.match(markdown, /\| \+ GET \/v1\/new \| added \|/)
    const { envelope } = await second.json<{
      result: { plan: { configDiff: { endpoints: { added: string[]; removed: string[] } } } }
    }>(['release', '--sha', sha(3), '--dry-run'])
    assert.deepEqual(envelope.result.plan.configDiff.endpoints, {
      ...envelope.result.plan.configDiff.endpoints,
      added: ['GET /v1/new'],
      removed: ['GET /v1/old'],
    })
  })

  it('after destroy, rollback is exit 2 (nothing is deployed) and names the ways back; rollback --to one goes live', async () => {
    assert.equal((await second.run(['destroy', '--force'])).code, 0)
    // One envelope: json() parses stdout whole.
    const { code, envelope } = await second.json<{
      status: string
      error: { exitCode: number; message: string; hint: string }
    }>(['rollback'])
    assert.equal(code, 2, envelope.error.message)
    assert.equal(envelope.status, 'error')
    assert.equal(envelope.error.exitCode, 2)
    assert.match(
      envelope.error.message,
      /nothing is deployed, the target was destroyed at .* \(0101010 was live before\)/,
    )
    assert.match(envelope.error.hint, new RegExp(`\`gwdeploy rollback --to ${sha(1)}\` brings back 0101010`))
    assert.equal(await liveName(first.port), undefined, 'nothing started')
    const text = await second.run(['status'])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /destroyed at .*: nothing is deployed; `gwdeploy rollback --to/)
    assert.doesNotMatch(text.stdout, /^rollback:/m)
    const to = await second.run(['rollback', '--to', sha(2)])
    assert.equal(to.code, 0, to.stderr)
    assert.equal(await liveName(first.port), `e2e rev-${sha(2).slice(0, 7)}`)
  })
})
