/** The pure parts of the haproxy provider: haproxy.cfg checks and rewrites, map text, runtime API parsers, render. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { renderInitFiles } from '../../../src/config/init-files.ts'
import {
  blockOwner,
  claimBlocks,
  configProblems,
  frontendEndpoint,
  mapOwner,
  readMap,
  readServerBlock,
  renderMap,
  renderServerBlock,
  replaceServerBlock,
} from '../../../src/providers/haproxy/config-file.ts'
import { renderDocuments } from '../../../src/providers/haproxy/render.ts'
import {
  parseMapEntries,
  parseServersState,
  parseSocketAddress,
} from '../../../src/providers/haproxy/runtime-api.ts'
import type { FleetSpec } from '../../../src/providers/types.ts'
import { requireHaproxy } from '../../helpers/services.ts'
import { TEMPLATE_CFG } from './helpers.ts'

const expect = {
  frontend: 'gateway',
  backends: { blue: 'be_blue', green: 'be_green' },
  mapFile: '/etc/haproxy/gwdeploy.map',
}

describe('haproxy.cfg handling', () => {
  it('the init template is what gwdeploy expects, and haproxy -c accepts it', async () => {
    const files = renderInitFiles({ service: 'payments', provider: 'haproxy' })
    const cfg = files.find((f) => f.path === 'haproxy/haproxy.cfg')?.content ?? ''
    const map = files.find((f) => f.path === 'haproxy/gwdeploy.map')?.content ?? ''
    assert.deepEqual(configProblems(cfg, expect), [])
    assert.deepEqual(readMap(map), { blue: 0, green: 0 })
    const { path } = await requireHaproxy()
    const dir = await mkdtemp(join(tmpdir(), 'gwd-hapcfg-'))
    try {
      await writeFile(join(dir, 'gwdeploy.map'), map)
      const local = cfg.replaceAll('/etc/haproxy/gwdeploy.map', join(dir, 'gwdeploy.map'))
      await writeFile(join(dir, 'haproxy.cfg'), local)
      await promisify(execFile)(path, ['-c', '-q', '-f', join(dir, 'haproxy.cfg')])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('names everything missing from a haproxy.cfg', async () => {
    const cfg = await readFile(TEMPLATE_CFG, 'utf8')
    const broken = cfg
      .replace(/^.*,map\(.*$/gm, '')
      .replace(/^\s*use_backend be_blue .*$/m, '')
      .replace('\nbackend be_green', '\nbackend be_other')
    assert.deepEqual(configProblems(broken, expect), [
      'frontend "gateway" does not read the map /etc/haproxy/gwdeploy.map',
      'frontend "gateway" has no `use_backend be_blue if ...` rule',
      'no backend "be_green" (provider.haproxy.backends.green)',
    ])
    assert.deepEqual(configProblems('global\n', expect)[0], 'no frontend "gateway"')
  })

  it('rewrites only the gwdeploy block of one backend, keeping its indentation', async () => {
    const cfg = await readFile(TEMPLATE_CFG, 'utf8')
    const nodes = [
      { address: '10.0.0.21', port: 32768 },
      { address: '10.0.0.22', port: 32769 },
    ]
    const next = replaceServerBlock(cfg, 'be_green', (indent) =>
      renderServerBlock('green', nodes, 3, 'check', indent),
    )
    assert.deepEqual(readServerBlock(next, 'be_green'), [
      { name: 'green1', address: '10.0.0.21', port: 32768 },
      { name: 'green2', address: '10.0.0.22', port: 32769 },
    ])
    assert.match(next, /\n {4}server green3 127\.0\.0\.1:1 check disabled\n {4}# END gwdeploy servers/)
    assert.equal(next.split('be_blue')[1]?.slice(0, 400), cfg.split('be_blue')[1]?.slice(0, 400))
    assert.throws(
      () => replaceServerBlock('backend be_green\n  server x 1.2.3.4:1\n', 'be_green', () => []),
      /no gwdeploy server block/,
    )
    assert.equal(frontendEndpoint(cfg, 'gateway'), 'http://127.0.0.1:80')
  })

  it('names the target that owns the backends and the map; unclaimed blocks have no owner', async () => {
    const cfg = await readFile(TEMPLATE_CFG, 'utf8')
    assert.equal(blockOwner(cfg, 'be_green'), undefined)
    const claimed = claimBlocks(cfg, ['be_blue', 'be_green'], 'payments-staging')
    const line = claimed.split('\n').findIndex((l) => l.includes('for target "payments-staging"')) + 1
    assert.deepEqual(blockOwner(claimed, 'be_blue'), { target: 'payments-staging', line })
    assert.equal(blockOwner(claimed, 'be_green')?.target, 'payments-staging')
    assert.equal(claimed.split('\n').length, cfg.split('\n').length)
    const rewritten = replaceServerBlock(claimed, 'be_green', (indent) =>
      renderServerBlock('green', [], 2, 'check', indent, 'payments-staging'),
    )
    assert.equal(blockOwner(rewritten, 'be_green')?.target, 'payments-staging')
    assert.equal(mapOwner(renderMap({ blue: 100, green: 0 }, 'off', 'payments')), 'payments')
    assert.equal(mapOwner(renderMap({ blue: 100, green: 0 })), undefined)
    assert.deepEqual(readMap(renderMap({ blue: 0, green: 100 }, 'off', 'payments')), { blue: 0, green: 100 })
  })

  it('map text round-trips; invalid entries are refused', () => {
    assert.deepEqual(readMap(renderMap({ blue: 90, green: 10 })), { blue: 90, green: 10 })
    assert.deepEqual(readMap(renderMap({ blue: 0, green: 100 })), { blue: 0, green: 100 })
    assert.equal(readMap('blue 100\ngreen 150\n'), undefined)
    assert.deepEqual(
      parseMapEntries('0x55e583af11b0 green 5\n0x55e583af11c0 blue 100\n\n'),
      new Map([
        ['green', '5'],
        ['blue', '100'],
      ]),
    )
  })
})

describe('runtime API parsing', () => {
  it('reads `show servers state` by its header', () => {
    const text = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
2 be_blue 1 blue1 127.0.0.1 2 4 1 1 17 6 3 4 6 0 0 0 - 18555 - 0 0 - - 0
2 be_blue 2 blue2 127.0.0.1 0 5 1 1 2 1 0 0 14 0 0 0 - 1 - 0 0 - - 0
`
    assert.deepEqual(parseServersState(text), [
      {
        backend: 'be_blue',
        name: 'blue1',
        address: '127.0.0.1',
        port: 18555,
        opState: 2,
        adminState: 4,
        weight: 1,
        checkResult: 3,
        checkStatus: 6,
      },
      {
        backend: 'be_blue',
        name: 'blue2',
        address: '127.0.0.1',
        port: 1,
        opState: 0,
        adminState: 5,
        weight: 1,
        checkResult: 0,
        checkStatus: 1,
      },
    ])
  })

  it('parses socket addresses', () => {
    const at = (p: string) => resolve('/base', p)
    assert.deepEqual(parseSocketAddress('ipv4@127.0.0.1:9999', at), { host: '127.0.0.1', port: 9999 })
    assert.deepEqual(parseSocketAddress('lb1.internal:9999', at), { host: 'lb1.internal', port: 9999 })
    assert.deepEqual(parseSocketAddress('/run/haproxy/admin.sock', at), { path: '/run/haproxy/admin.sock' })
    assert.deepEqual(parseSocketAddress('run/admin.sock', at), { path: '/base/run/admin.sock' })
  })
})

describe('render (release --dry-run)', () => {
  it('golden: container request, server block and map per instance', () => {
    const spec: FleetSpec = {
      service: 'payments',
      env: undefined,
      colour: 'green',
      size: 2,
      port: 8080,
      healthPath: '/__health',
      artifact: {
        sha: 'abcdef0123456789abcdef0123456789abcdef01',
        sha7: 'abcdef0',
        configName: 'payments rev-abcdef0',
        configDigest: 'sha256:0123456789abcdef0123',
        configText: '{}',
        image: 'registry.example.com/team/payments:abcdef0',
      },
    }
    const docs = renderDocuments(spec, {
      target: 'payments',
      targetId: '3f9a1c0b',
      backends: { blue: 'be_blue', green: 'be_green' },
      slots: 3,
      serverOptions: 'check inter 1s rise 2 fall 3',
      instances: [
        { name: 'lb1', configFile: '/etc/haproxy/haproxy.cfg', mapFile: '/etc/haproxy/gwdeploy.map' },
      ],
      dockerHosts: [{ host: 'unix:///var/run/docker.sock', publishAddress: '10.0.0.5' }],
      environment: { homeDir: '/home/deploy', user: 'deploy' },
      restartPolicy: 'unless-stopped',
    })
    assert.deepEqual(
      docs.map((d) => d.title),
      [
        'docker unix:///var/run/docker.sock: connection (dockerode options; key files are read when connecting)',
        'docker unix:///var/run/docker.sock: create container (slot 1)',
        'docker unix:///var/run/docker.sock: create container (slot 2)',
        'lb1: /etc/haproxy/haproxy.cfg, backend be_green (also set live through the runtime API)',
        'lb1: /etc/haproxy/gwdeploy.map after the switch (set map ... at each step)',
      ],
    )
    assert.deepEqual(JSON.parse(docs[0]?.content ?? '{}'), {
      kind: 'unix',
      options: { socketPath: '/var/run/docker.sock' },
    })
    docs.shift()
    const container = JSON.parse(docs[0]?.content ?? '{}')
    assert.equal(container.name, 'gwdeploy-payments-3f9a1c0b-green-abcdef0-1')
    assert.equal(container.Labels['gwdeploy.target'], 'payments')
    assert.equal(container.Labels['gwdeploy.target-id'], '3f9a1c0b')
    assert.deepEqual(container.HostConfig, {
      PortBindings: { '8080/tcp': [{ HostIp: '10.0.0.5', HostPort: '' }] },
      RestartPolicy: { Name: 'unless-stopped' },
    })
    assert.equal(container.Labels['gwdeploy.release'], 'abcdef0-0123456789ab')
    assert.equal(
      docs[2]?.content,
      [
        'backend be_green',
        '    ...',
        '    # BEGIN gwdeploy servers (managed by gwdeploy for target "payments": rewritten on every release)',
        '    server green1 10.0.0.5:<published port> check inter 1s rise 2 fall 3',
        '    server green2 10.0.0.5:<published port> check inter 1s rise 2 fall 3',
        '    server green3 127.0.0.1:1 check inter 1s rise 2 fall 3 disabled',
        '    # END gwdeploy servers',
        '',
      ].join('\n'),
    )
    assert.match(docs[3]?.content ?? '', /^# gwdeploy target: payments\n/)
    assert.match(docs[3]?.content ?? '', /\nblue 0\ngreen 100\nmaintenance <unchanged>\n$/)
  })
})
