/**
 * Writers of one haproxy.cfg and map at once (hapaudit 1): `maintenance` takes no release lock, so
 * it switches while a stepped release writes the map at every step. Both used fixed temp file
 * names beside the files and each deleted the other's: the release failed mid-shift (exit 6,
 * `rename ... gwdeploy.map.gwdeploy.tmp: ENOENT`), or wrote the map from a stale read. Each
 * read-change-write of the files now holds `<haproxy.cfg>.gwdeploy.lock`.
 */
import assert from 'node:assert/strict'
import { access, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { parseMapEntries } from '../../src/providers/haproxy/runtime-api.ts'
import { sha } from '../core/helpers/project.ts'
import { serversTarget } from '../helpers/servers-target.ts'
import { haproxyConfig } from '../providers/haproxy/helpers.ts'

describe('haproxy: maintenance switched while a stepped release writes the map', {
  concurrency: false,
}, () => {
  const target = serversTarget()

  before(async () => {
    const { project, lb, nodes } = target
    const config = haproxyConfig({
      instances: [lb],
      servers: { blue: [nodes[0]?.address ?? ''], green: [nodes[2]?.address ?? ''] },
      shift: { strategy: 'steps', steps: Array.from({ length: 20 }, (_, i) => (i + 1) * 5), bake: '0s' },
    }) as { provider: { haproxy: { instances: Array<Record<string, string>> } } }
    const first = config.provider.haproxy.instances[0]
    if (first) first.masterSocket = lb.masterSocket
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
    const released = await project.run(['release', '--sha', sha(1)])
    assert.equal(released.code, 0, released.stderr)
    // The page's rules are loaded once (a reload through masterSocket): later switches are map writes.
    const on = await project.run(['maintenance', 'on'])
    assert.equal(on.code, 0, on.stderr)
    const off = await project.run(['maintenance', 'off'])
    assert.equal(off.code, 0, off.stderr)
  })

  it('both finish (exit 0), and the map on disk is the one HAProxy runs', async () => {
    const { project, lb } = target
    const release = project.start(['release', '--sha', sha(2)])
    let releaseDone = false
    const released = release.done.finally(() => {
      releaseDone = true
    })
    const switches: Array<{ code: number | null; stderr: string }> = []
    for (let i = 0; !releaseDone && i < 40; i++)
      switches.push(await project.run(['maintenance', i % 2 === 0 ? 'on' : 'off']))
    const result = await released
    assert.equal(result.code, 0, result.stderr)
    assert.ok(switches.length >= 2, 'maintenance switched while the release ran')
    for (const s of switches) assert.equal(s.code, 0, s.stderr)
    const last = await project.run(['maintenance', 'off'])
    assert.equal(last.code, 0, last.stderr)
    const live = parseMapEntries(await lb.command(`show map ${lb.mapFile}`))
    const onDisk = (await readFile(lb.mapFile, 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => line.trim().split(/\s+/) as [string, string])
    assert.equal(live.get('green'), '100')
    assert.deepEqual(Object.fromEntries(onDisk), Object.fromEntries(live), 'the map file is what runs')
    await assert.rejects(access(`${lb.configFile}.gwdeploy.lock`), 'no lock left behind')
  })
})
