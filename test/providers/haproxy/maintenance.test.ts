/** The maintenance rules as data: golden haproxy.cfg frontends that `haproxy -c` accepts, and the `show acl` parsers. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { DEFAULT_BODY } from '../../../src/core/maintenance.ts'
import { sections } from '../../../src/providers/haproxy/config-file.ts'
import {
  pageFile,
  pageToken,
  renderMaintenanceBlock,
  replaceMaintenanceBlock,
  strAclIds,
  tokensInAcl,
} from '../../../src/providers/haproxy/maintenance.ts'
import type { MaintenancePage } from '../../../src/providers/types.ts'
import { requireHaproxy } from '../../helpers/services.ts'
import { TEMPLATE_CFG } from './helpers.ts'

const GOLDEN = new URL('./golden/', import.meta.url)
const MAP = '/etc/haproxy/gwdeploy.map'

/** Compares with the golden file; GWDEPLOY_UPDATE_GOLDEN=1 rewrites it. */
async function golden(name: string, text: string) {
  const file = new URL(name, GOLDEN)
  if (process.env.GWDEPLOY_UPDATE_GOLDEN === '1') await writeFile(file, text)
  assert.equal(text, await readFile(file, 'utf8'), `${name} differs (GWDEPLOY_UPDATE_GOLDEN=1 rewrites it)`)
}

const json: MaintenancePage = {
  status: 503,
  contentType: 'application/json',
  body: DEFAULT_BODY,
  retryAfter: 120,
}
const html: MaintenancePage = {
  status: 503,
  contentType: 'text/html; charset=utf-8',
  body: '<!doctype html><p>Back soon.</p>\n',
}

const frontendOf = (text: string) => {
  const lines = text.split('\n')
  const section = sections(lines).find((s) => s.kind === 'frontend')
  return `${lines.slice(section?.start, section?.end).join('\n').trimEnd()}\n`
}

describe('haproxy maintenance rules', () => {
  it('a page is named by everything a client gets', () => {
    assert.match(pageToken(json), /^gwdeploy-maintenance-[0-9a-f]{12}$/)
    assert.equal(pageToken(json), pageToken({ ...json }))
    assert.notEqual(pageToken(json), pageToken({ ...json, retryAfter: 60 }))
    assert.notEqual(pageToken(json), pageToken({ ...json, status: 502 }))
    assert.notEqual(pageToken(json), pageToken({ ...json, body: `${DEFAULT_BODY} ` }))
    assert.equal(
      pageFile(MAP, 'gwdeploy-maintenance-0123456789ab'),
      '/etc/haproxy/gwdeploy-maintenance-0123456789ab.page',
    )
  })

  it('golden: the template frontend with one page, then with two while one replaces the other', async () => {
    const template = await readFile(TEMPLATE_CFG, 'utf8')
    const one = replaceMaintenanceBlock(template, 'gateway', (indent) =>
      renderMaintenanceBlock([json], MAP, indent),
    )
    const two = replaceMaintenanceBlock(one, 'gateway', (indent) =>
      renderMaintenanceBlock([json, html], MAP, indent),
    )
    await golden('maintenance-frontend.cfg', `${frontendOf(one)}\n${frontendOf(two)}`)
    // Only the block changed: the backends are as in the template.
    assert.equal(
      two.slice(two.indexOf('backend be_blue')),
      template.slice(template.indexOf('backend be_blue')),
    )
    const empty = replaceMaintenanceBlock(two, 'gateway', (indent) => renderMaintenanceBlock([], MAP, indent))
    assert.equal(empty, template)
  })

  it('a haproxy.cfg without the block gets it before the first use_backend; haproxy -c accepts the result', async () => {
    const template = await readFile(TEMPLATE_CFG, 'utf8')
    const bare = template.replace(/^.*gwdeploy maintenance.*\n/gm, '')
    assert.doesNotMatch(bare, /BEGIN gwdeploy maintenance/)
    const next = replaceMaintenanceBlock(bare, 'gateway', (indent) =>
      renderMaintenanceBlock([json], MAP, indent),
    )
    const lines = next.split('\n')
    const rule = lines.findIndex((line) => line.includes('http-request return status 503'))
    const firstUse = lines.findIndex((line) => /^\s*use_backend/.test(line))
    assert.ok(rule > 0 && rule < firstUse, next)
    assert.equal(lines[rule + 1], '    # END gwdeploy maintenance')
    assert.throws(() => replaceMaintenanceBlock('global\n', 'gateway', () => []), /no frontend "gateway"/)

    const { path } = await requireHaproxy()
    const dir = await mkdtemp(join(tmpdir(), 'gwd-hapmaint-'))
    try {
      const map = join(dir, 'gwdeploy.map')
      await writeFile(map, 'blue 100\ngreen 0\nmaintenance off\n')
      for (const page of [json, html]) await writeFile(pageFile(map, pageToken(page)), page.body)
      const local = replaceMaintenanceBlock(template.replaceAll(MAP, map), 'gateway', (indent) =>
        renderMaintenanceBlock([json, html], map, indent),
      )
      await writeFile(join(dir, 'haproxy.cfg'), local)
      await promisify(execFile)(path, ['-c', '-q', '-f', join(dir, 'haproxy.cfg')])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('reads the loaded tokens from `show acl` (HAProxy 2.6 output)', () => {
    const list = [
      '# id (file) description',
      "1 () acl 'str' file '/etc/haproxy/haproxy.cfg' line 31. curr_ver=0 next_ver=0 entry_cnt=1",
      "2 () acl 'var' file '/etc/haproxy/haproxy.cfg' line 35. curr_ver=0 next_ver=0 entry_cnt=1",
      "3 () acl 'str' file '/etc/haproxy/haproxy.cfg' line 32. curr_ver=0 next_ver=0 entry_cnt=1",
      '',
    ].join('\n')
    assert.deepEqual(strAclIds(list), ['1', '3'])
    assert.deepEqual(tokensInAcl('0x55a8362957a0 gwdeploy-maintenance-0123456789ab\n\n'), [
      'gwdeploy-maintenance-0123456789ab',
    ])
    assert.deepEqual(tokensInAcl('0x55a8362957a0 something-else\n'), [])
  })
})
