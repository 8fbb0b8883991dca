/**
 * The maintenance switch on real HAProxy (master-worker) through the built CLI, servers mode:
 * the page is loaded with the config (a reload through masterSocket, or the operator's), the
 * map's `maintenance` entry switches it on and off on every instance, the split is kept.
 */
import assert from 'node:assert/strict'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import {
  askName,
  type ExternalNode,
  type HaproxyInstance,
  haproxyConfig,
  startGatewayNode,
  startHaproxy,
} from '../providers/haproxy/helpers.ts'

describe('maintenance on HAProxy (CLI, two instances)', { concurrency: false }, () => {
  let project: Project
  const lbs: HaproxyInstance[] = []
  const nodes: ExternalNode[] = []
  const name = (n: number) => `e2e rev-${sha(n).slice(0, 7)}`
  const html = '<!doctype html><title>Maintenance</title><p>Back at 14:00.</p>\n'

  before(async () => {
    project = await makeProject()
    lbs.push(await startHaproxy({ name: 'lb1' }), await startHaproxy({ name: 'lb2' }))
    for (const n of [1, 2]) nodes.push(await startGatewayNode(name(n), project.dir))
    const config = haproxyConfig({
      instances: lbs,
      servers: { blue: [nodes[0]?.address ?? ''], green: [nodes[1]?.address ?? ''] },
    }) as { provider: { haproxy: { instances: Array<Record<string, string>> } } }
    // lb1 can be reloaded by gwdeploy; lb2 is reloaded by its operator.
    const first = config.provider.haproxy.instances[0]
    if (first) first.masterSocket = lbs[0]?.masterSocket ?? ''
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
    await writeFile(join(project.dir, 'down.html'), html)
    const released = await project.run(['release', '--sha', sha(1)])
    assert.equal(released.code, 0, released.stderr)
  })
  after(async () => {
    await project?.cleanup()
    for (const node of nodes) await node.stop()
    for (const lb of lbs) await lb.stop()
  })

  const pageFiles = async (lb: HaproxyInstance) =>
    (await readdir(lb.dir)).filter((file) => file.endsWith('.page')).sort()
  const servedPageFile = async (lb: HaproxyInstance) =>
    `${/^maintenance (\S+)$/m.exec(await readFile(lb.mapFile, 'utf8'))?.[1]}.page`

  async function page(lb: HaproxyInstance, path = '/v1/anything') {
    const response = await fetch(`http://127.0.0.1:${lb.port}${path}`, { signal: AbortSignal.timeout(5_000) })
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      retryAfter: response.headers.get('retry-after'),
      cache: response.headers.get('cache-control'),
      body: await response.text(),
    }
  }

  it('an instance that has not loaded the page and cannot be reloaded: exit 6, clients untouched', async () => {
    const result = await project.run(['maintenance', 'on', '--page', 'down.html', '--retry-after', '10m'])
    assert.equal(result.code, 6, result.stderr)
    assert.match(
      result.stderr,
      /HAProxy lb2 has not loaded this maintenance page yet \(nothing changed for clients\)/,
    )
    assert.match(result.stderr, /reload HAProxy/)
    for (const lb of lbs) assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
    // The rule is in haproxy.cfg (checked by haproxy -c), the map entry is still off.
    for (const lb of lbs) {
      assert.match(
        await readFile(lb.configFile, 'utf8'),
        /http-request return status 503 content-type "text\/html; charset=utf-8" file /,
      )
      assert.match(await readFile(lb.mapFile, 'utf8'), /^maintenance off$/m)
    }
  })

  it('after the operator reloads lb2: on serves the page on both instances', async () => {
    await lbs[1]?.reload()
    const result = await project.run(['maintenance', 'on', '--page', 'down.html', '--retry-after', '10m'])
    assert.equal(result.code, 0, result.stderr)
    for (const lb of lbs) {
      for (const path of ['/__health', '/v1/anything?x=1']) {
        assert.deepEqual(await page(lb, path), {
          status: 503,
          type: 'text/html; charset=utf-8',
          retryAfter: '600',
          cache: 'no-store',
          body: html,
        })
      }
      assert.match(await readFile(lb.mapFile, 'utf8'), /^maintenance gwdeploy-maintenance-[0-9a-f]{12}$/m)
    }
    const status = await project.json<{ result: { maintenance: { status: number; body: string } } }>([
      'status',
    ])
    assert.equal(status.envelope.result.maintenance.status, 503)
    assert.equal(status.envelope.result.maintenance.body, html)
  })

  it('a release behind the page switches the split underneath; a reload keeps the page', async () => {
    const released = await project.run(['release', '--sha', sha(2)])
    assert.equal(released.code, 0, released.stderr)
    for (const lb of lbs) {
      assert.equal(await lb.green(), 100)
      assert.equal((await page(lb)).status, 503)
      assert.match(await readFile(lb.mapFile, 'utf8'), /^green 100\nmaintenance gwdeploy-maintenance-/m)
    }
    await lbs[0]?.reload()
    assert.equal((await page(lbs[0] as HaproxyInstance)).body, html)
  })

  it('the default JSON page replaces the HTML one (lb1 reloaded by gwdeploy, lb2 by its operator first)', async () => {
    const prepare = await project.run(['maintenance', 'on'])
    assert.equal(prepare.code, 6, prepare.stderr)
    // The previous page stays up meanwhile.
    for (const lb of lbs) assert.equal((await page(lb)).body, html)
    await lbs[1]?.reload()
    const result = await project.run(['maintenance', 'on'])
    assert.equal(result.code, 0, result.stderr)
    for (const lb of lbs) {
      const got = await page(lb)
      assert.equal(got.status, 503)
      assert.equal(got.type, 'application/json')
      assert.equal(got.retryAfter, '120')
      assert.equal(JSON.parse(got.body).status, 'maintenance')
      // The HTML page is not served any more: its rule and its file are gone (they stayed forever).
      assert.deepEqual(await pageFiles(lb), [await servedPageFile(lb)])
      assert.doesNotMatch(await readFile(lb.configFile, 'utf8'), /text\/html/)
    }
  })

  it("a page larger than HAProxy's buffer is a usage error (exit 2); the page served stays", async () => {
    await writeFile(join(project.dir, 'huge.html'), `<p>${'x'.repeat(20_000)}</p>`)
    const result = await project.run(['maintenance', 'on', '--page', 'huge.html'])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /cannot serve a page this large: .*exceeds the buffer size/)
    assert.match(result.stderr, /tune\.bufsize/)
    for (const lb of lbs) assert.equal(JSON.parse((await page(lb)).body).status, 'maintenance')
  })

  it('off: both instances route again with the split kept (green, sha 2)', async () => {
    const result = await project.run(['maintenance', 'off'])
    assert.equal(result.code, 0, result.stderr)
    for (const lb of lbs) {
      assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
      assert.match(await readFile(lb.mapFile, 'utf8'), /^blue 0\ngreen 100\nmaintenance off$/m)
    }
    const status = await project.json<{ result: { maintenance: unknown } }>(['status'])
    assert.equal(status.envelope.result.maintenance, null)
    // No page is served: no rule names one, no page file is left, and a reload still routes.
    for (const lb of lbs) {
      assert.deepEqual(await pageFiles(lb), [])
      assert.doesNotMatch(await readFile(lb.configFile, 'utf8'), /http-request return/)
    }
    await lbs[0]?.reload()
    assert.deepEqual(await askName(lbs[0]?.port ?? 0), { status: 200, name: name(2) })
  })

  it('destroy turns maintenance off with everything else', async () => {
    const on = await project.run(['maintenance', 'on'])
    assert.equal(on.code, 0, on.stderr)
    const destroyed = await project.run(['destroy', '--force'])
    assert.equal(destroyed.code, 0, destroyed.stderr)
    for (const lb of lbs) {
      assert.match(await readFile(lb.mapFile, 'utf8'), /^blue 0\ngreen 0\nmaintenance off$/m)
      const got = await page(lb)
      assert.equal(got.status, 503)
      assert.doesNotMatch(got.body, /maintenance/)
      assert.deepEqual(await pageFiles(lb), [])
    }
  })
})
