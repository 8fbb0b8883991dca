/**
 * A change of provider.haproxy.serverOptions (hapaudit 2): the runtime API moves slots but gives
 * them no new check settings, so the new options were only written to haproxy.cfg — the gate
 * checked green with the old ones, and the next reload applied a broken check port untested
 * (every green server DOWN: 503 to every request). Now a change is loaded by a reload through
 * masterSocket before the gate, and refused before anything starts without one.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { freePort, sha } from '../core/helpers/project.ts'
import { releaseName, serversTarget } from '../helpers/servers-target.ts'
import { askName, haproxyConfig, testServerOptions } from '../providers/haproxy/helpers.ts'

describe('haproxy: a change of serverOptions', { concurrency: false }, () => {
  const target = serversTarget()

  const writeConfig = (serverOptions: string | undefined, master: boolean) => {
    const { project, lb, nodes } = target
    const config = haproxyConfig({
      instances: [lb],
      servers: { blue: [nodes[0]?.address ?? ''], green: [nodes[2]?.address ?? ''] },
      health: { deadline: '5s' },
      ...(serverOptions ? { serverOptions } : {}),
    }) as { provider: { haproxy: { instances: Array<Record<string, string>> } } }
    const first = config.provider.haproxy.instances[0]
    if (first && master) first.masterSocket = lb.masterSocket
    return writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
  }

  before(async () => {
    await writeConfig(undefined, true)
    const released = await target.project.run(['release', '--sha', sha(1)])
    assert.equal(released.code, 0, released.stderr)
  })

  it('without masterSocket: exit 6 before anything starts, naming both option sets; haproxy.cfg untouched', async () => {
    const broken = `${testServerOptions()} port ${await freePort()}`
    await writeConfig(broken, false)
    const before = await readFile(target.lb.configFile, 'utf8')
    const result = await target.project.json<{ error: { message: string; hint: string } }>([
      'release',
      '--sha',
      sha(2),
    ])
    assert.equal(result.code, 6, JSON.stringify(result.envelope))
    assert.match(
      result.envelope.error.message,
      new RegExp(
        `serverOptions is "${broken}", but HAProxy lb1 runs the servers of backend be_green with "${testServerOptions()}"`,
      ),
    )
    assert.match(result.envelope.error.hint, /masterSocket/)
    assert.equal(await readFile(target.lb.configFile, 'utf8'), before)
    assert.equal((await askName(target.lb.port)).name, releaseName(1))
  })

  it('with masterSocket: HAProxy is reloaded before the gate, which fails on the broken check port (exit 4); blue keeps serving', async () => {
    await writeConfig(`${testServerOptions()} port ${await freePort()}`, true)
    const result = await target.project.run(['release', '--sha', sha(2)])
    assert.equal(result.code, 4, result.stderr)
    assert.match(result.stderr, /reloading HAProxy to load the new server options/)
    assert.equal(await target.lb.green(), 0)
    assert.equal((await askName(target.lb.port)).name, releaseName(1))
    // blue's lines keep the options its release wrote: no hand edit
    const status = await target.project.run(['status'])
    assert.doesNotMatch(`${status.stdout}${status.stderr}`, /EDITED BY HAND|edited by hand/)
  })

  it('options put back: reloaded again, green passes its checks and goes live', async () => {
    await writeConfig(undefined, true)
    const result = await target.project.run(['release', '--sha', sha(2)])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /reloading HAProxy to load the new server options/)
    assert.equal(await target.lb.green(), 100)
    assert.equal((await askName(target.lb.port)).name, releaseName(2))
  })
})
