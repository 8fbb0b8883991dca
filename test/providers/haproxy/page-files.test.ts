/**
 * Page files of pages no longer served are removed after a switch (they were left beside the map
 * forever), but never one a config still names: another target's frontend in the same haproxy.cfg
 * serving the same page (the default page has one token everywhere), or another HAProxy's config
 * in the same directory. Real `haproxy -c` checks every rewritten haproxy.cfg.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { DEFAULT_BODY } from '../../../src/core/maintenance.ts'
import { HaproxyInstance } from '../../../src/providers/haproxy/instance.ts'
import {
  pageFile,
  pageToken,
  renderMaintenanceBlock,
  replaceMaintenanceBlock,
} from '../../../src/providers/haproxy/maintenance.ts'
import type { MaintenancePage } from '../../../src/providers/types.ts'
import { requireHaproxy } from '../../helpers/services.ts'
import { TEMPLATE_CFG } from './helpers.ts'

const json: MaintenancePage = {
  status: 503,
  contentType: 'application/json',
  body: DEFAULT_BODY,
  retryAfter: 120,
}
const html: MaintenancePage = { status: 503, contentType: 'text/html', body: '<p>Back soon.</p>\n' }
const other: MaintenancePage = { status: 502, contentType: 'text/plain', body: 'other haproxy\n' }

describe('haproxy maintenance page files', () => {
  let dir: string
  let configFile: string
  const files = () => readdir(dir).then((names) => names.filter((name) => name.endsWith('.page')).sort())
  const fileOf = (page: MaintenancePage) => `${pageToken(page)}.page`

  before(async () => {
    await requireHaproxy()
    dir = await mkdtemp(join(tmpdir(), 'gwd-pages-'))
    configFile = join(dir, 'haproxy.cfg')
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const keep = async (instance: HaproxyInstance, pages: MaintenancePage[]) => {
    await instance.keepOnlyRules(pages, 'gateway')
    return instance.removeUnnamedPages([configFile])
  }

  /** haproxy.cfg with the template's frontend (target api) and a second target's frontend and map beside it. */
  async function writeConfig(pages: { api: MaintenancePage[]; web: MaintenancePage[] }) {
    const apiMap = join(dir, 'gwdeploy.map')
    const webMap = join(dir, 'web.map')
    for (const map of [apiMap, webMap]) await writeFile(map, 'blue 100\ngreen 0\nmaintenance off\n')
    for (const page of [...pages.api, ...pages.web])
      await writeFile(pageFile(apiMap, pageToken(page)), page.body)
    let text = (await readFile(TEMPLATE_CFG, 'utf8'))
      .replace(/^\s*(log \/dev\/log|stats socket).*\n/gm, '')
      .replaceAll('/etc/haproxy/gwdeploy.map', apiMap)
      .replace('bind :80', 'bind 127.0.0.1:37001')
    text += [
      '',
      'frontend web',
      '    bind 127.0.0.1:37002',
      '    # BEGIN gwdeploy maintenance',
      '    # END gwdeploy maintenance',
      '    default_backend be_blue',
      '',
    ].join('\n')
    text = replaceMaintenanceBlock(text, 'gateway', (indent) =>
      renderMaintenanceBlock(pages.api, apiMap, indent),
    )
    text = replaceMaintenanceBlock(text, 'web', (indent) => renderMaintenanceBlock(pages.web, webMap, indent))
    await writeFile(configFile, text)
    return new HaproxyInstance(
      {
        name: 'lb1',
        socket: { path: join(dir, 'admin.sock') },
        files: { configFile, mapFile: apiMap, mapReference: apiMap },
      },
      {
        target: 'api',
        frontend: 'gateway',
        backends: { blue: 'be_blue', green: 'be_green' },
        slots: 10,
        serverOptions: '',
      },
    )
  }

  it('a replaced page goes (rule and file); the served one and one another frontend names stay', async () => {
    const instance = await writeConfig({ api: [html, json], web: [html] })
    // A page file left by an earlier switch that no rule names any more.
    await writeFile(join(dir, fileOf(other)), other.body)
    // Another HAProxy's config in the same directory names the orphan: it stays too.
    await writeFile(join(dir, 'lb2.cfg'), `# uses file ${join(dir, fileOf(other))}\n`)
    const removed = await keep(instance, [json])
    assert.deepEqual(removed, [])
    assert.deepEqual(await files(), [fileOf(html), fileOf(json), fileOf(other)].sort())
    const text = await readFile(configFile, 'utf8')
    const gateway = text.slice(text.indexOf('frontend gateway'), text.indexOf('backend be_blue'))
    assert.doesNotMatch(gateway, new RegExp(pageToken(html)))
    assert.match(gateway, new RegExp(pageToken(json)))
  })

  it("off: the target's rules and the files nothing names go; the other frontend's page stays", async () => {
    const instance = await writeConfig({ api: [json], web: [json] })
    await writeFile(join(dir, fileOf(html)), html.body)
    await rm(join(dir, 'lb2.cfg'))
    const removed = await keep(instance, [])
    assert.deepEqual(removed.sort(), [join(dir, fileOf(html)), join(dir, fileOf(other))].sort())
    assert.deepEqual(await files(), [fileOf(json)])
    const text = await readFile(configFile, 'utf8')
    assert.equal(
      text.split(pageToken(json)).length - 1,
      2,
      'only web names the JSON page (its file and its token)',
    )

    const last = await writeConfig({ api: [json], web: [] })
    assert.deepEqual(await keep(last, []), [join(dir, fileOf(json))])
    assert.deepEqual(await files(), [])
    assert.doesNotMatch(await readFile(configFile, 'utf8'), /http-request return/)
  })
})
