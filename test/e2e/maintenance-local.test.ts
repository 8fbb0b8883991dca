/**
 * The maintenance switch on the local provider through the built CLI: what a client of the front
 * proxy gets (status, headers, body), that a release behind the page keeps it up, and that
 * `maintenance off` routes again with the split that was there.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { liveName, makeProject, type Project, sha } from '../core/helpers/project.ts'

describe('maintenance on the local provider', { concurrency: false }, () => {
  let project: Project
  let url: string
  before(async () => {
    project = await makeProject({ size: 1 })
    url = `http://127.0.0.1:${project.port}`
    const released = await project.run(['release', '--sha', sha(1)])
    assert.equal(released.code, 0, released.stderr)
  })
  after(async () => {
    await project?.cleanup()
  })

  it('bad pages are usage errors (exit 2) and change nothing', async () => {
    await writeFile(join(project.dir, 'page.bin'), 'x')
    const cases: Array<[string[], RegExp]> = [
      [['--page', 'missing.html'], /--page missing\.html: cannot read it \(ENOENT\)/],
      [['--status', '200'], /--status 200 is not an error status/],
      [['--page', 'page.bin'], /cannot tell its content type/],
      [['--retry-after', 'soon'], /--retry-after soon is not a duration/],
    ]
    for (const [args, message] of cases) {
      const result = await project.run(['maintenance', 'on', ...args])
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, message)
    }
    assert.equal(await liveName(project.port), `e2e rev-${sha(1).slice(0, 7)}`)
  })

  it('on: every request gets the JSON 503 with Retry-After; status shows it', async () => {
    const on = await project.json<{ result: { changed: boolean; maintenance: { status: number } } }>([
      'maintenance',
      'on',
    ])
    assert.equal(on.code, 0, JSON.stringify(on.envelope))
    assert.equal(on.envelope.result.changed, true)
    for (const path of ['/__health', '/v1/ping', '/anything?x=1']) {
      const response = await fetch(`${url}${path}`)
      assert.equal(response.status, 503)
      assert.equal(response.headers.get('content-type'), 'application/json')
      assert.equal(response.headers.get('retry-after'), '120')
      assert.equal(response.headers.get('cache-control'), 'no-store')
      assert.deepEqual(await response.json(), {
        status: 'maintenance',
        message: 'The service is down for maintenance. Please retry later.',
      })
    }
    const head = await fetch(url, { method: 'HEAD' })
    assert.equal(head.status, 503)
    assert.equal((await head.arrayBuffer()).byteLength, 0)
    const post = await fetch(`${url}/v1/ping`, { method: 'POST', body: 'x'.repeat(100_000) })
    assert.equal(post.status, 503)
    await post.arrayBuffer()

    const status = await project.json<{ result: { maintenance: { status: number; retryAfter: number } } }>([
      'status',
    ])
    assert.equal(status.envelope.result.maintenance.status, 503)
    assert.equal(status.envelope.result.maintenance.retryAfter, 120)
    const text = await project.run(['status'])
    assert.match(
      text.stdout,
      /^MAINTENANCE: clients get 503 \(application\/json, \d+ bytes, Retry-After 120\)/m,
    )
  })

  it('status --watch --json streams a new object when maintenance is switched', async () => {
    const watch = project.start(['status', '--watch', '--json', '--interval', '200ms'])
    let stdout = ''
    watch.child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    const objects = () =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { maintenance?: { status: number } | null })
    const until = async (test: () => boolean) => {
      for (let i = 0; i < 300 && !test(); i++) await new Promise((r) => setTimeout(r, 50))
      assert.ok(test(), stdout)
    }
    await until(() => objects().length >= 1)
    assert.equal(objects()[0]?.maintenance?.status, 503)
    const on = await project.run(['maintenance', 'on', '--status', '502'])
    assert.equal(on.code, 0, on.stderr)
    await until(() => objects().some((o) => o.maintenance?.status === 502))
    watch.child.kill('SIGINT')
    assert.equal((await watch.done).code, 0)
  })

  it('on again with an HTML page replaces the page', async () => {
    const html = '<!doctype html><title>Back soon</title><p>Maintenance until 14:00.</p>\n'
    await writeFile(join(project.dir, 'down.html'), html)
    const on = await project.run(['maintenance', 'on', '--page', 'down.html', '--retry-after', '5m'])
    assert.equal(on.code, 0, on.stderr)
    const response = await fetch(`${url}/v1/ping`)
    assert.equal(response.status, 503)
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8')
    assert.equal(response.headers.get('retry-after'), '300')
    assert.equal(await response.text(), html)
  })

  it('a release behind the page is gated through preview and leaves the page up', async () => {
    const released = await project.run(['release', '--sha', sha(2)])
    assert.equal(released.code, 0, released.stderr)
    assert.match(released.stderr, /warning: maintenance is still on \(since .*\): clients get the 503 page/)
    const response = await fetch(`${url}/__health`)
    assert.equal(response.status, 503)
    assert.match(await response.text(), /Back soon/)
    const routes = await project.routes()
    assert.equal(routes?.colours.green?.weight, 100)
  })

  it('off: routes again with the split underneath (green, the new release)', async () => {
    // Green serves 100% and is healthy, but clients get the page: not live yet.
    const behindPage = await project.run([
      'status',
      '--wait-for',
      'live',
      '--timeout',
      '1s',
      '--interval',
      '200ms',
    ])
    assert.equal(behindPage.code, 7, behindPage.stderr)
    assert.match(behindPage.stderr, /maintenance is on: clients get the 503 page/)
    const off = await project.run(['maintenance', 'off'])
    assert.equal(off.code, 0, off.stderr)
    assert.match(off.stdout, /routing again/)
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
    const again = await project.run(['maintenance', 'off'])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /already off/)
    const status = await project.json<{ result: { maintenance: unknown; weights: unknown } }>(['status'])
    assert.equal(status.envelope.result.maintenance, null)
    assert.deepEqual(status.envelope.result.weights, { blue: 0, green: 100 })
    const live = await project.run([
      'status',
      '--wait-for',
      'live',
      '--timeout',
      '10s',
      '--interval',
      '200ms',
    ])
    assert.equal(live.code, 0, live.stderr)
  })
})
