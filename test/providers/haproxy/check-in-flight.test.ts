// A real HAProxy clears a server's check result while its next check runs (every `inter`); the
// node's health must then follow the last finished check, not read "check pending". A status
// taken while the killed nodes of a kept colour were being checked called them `starting`, so
// `status` did not say NO LIVE NODE (a CI flake of haproxy-servers.test.ts).
import assert from 'node:assert/strict'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import type { InstanceView } from '../../../src/providers/haproxy/instance.ts'
import { healthOnInstances } from '../../../src/providers/haproxy/node-health.ts'
import { parseServersState, type ServerState } from '../../../src/providers/haproxy/runtime-api.ts'
import type { FleetRecord } from '../../../src/providers/haproxy/state.ts'
import type { Fleet, NodeHealth } from '../../../src/providers/types.ts'
import { type HaproxyInstance, startHaproxy } from './helpers.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let haproxy: HaproxyInstance
let stalling = false
const held: ServerResponse[] = []
const node = createServer((_req, res) => {
  if (stalling) held.push(res)
  else res.end('ok')
})
let port = 0

before(async () => {
  await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve))
  port = (node.address() as AddressInfo).port
  haproxy = await startHaproxy()
  await haproxy.command(`set server be_blue/blue1 addr 127.0.0.1 port ${port}`)
  await haproxy.command('set server be_blue/blue1 state ready')
})

after(async () => {
  for (const res of held) res.destroy()
  node.closeAllConnections()
  node.close()
  await haproxy?.stop()
})

const fleet: Fleet = {
  colour: 'blue',
  sha: '01'.repeat(20),
  configName: 'demo',
  configDigest: 'sha256:x',
  nodes: [{ id: 'blue-1', colour: 'blue', address: '127.0.0.1' }],
}
const record = (): FleetRecord => ({
  ...fleet,
  nodes: [{ id: 'blue-1', slot: 0, address: '127.0.0.1', port }],
})

async function blue1(): Promise<ServerState> {
  const state = parseServersState(await haproxy.command('show servers state be_blue'))
  const server = state.find((s) => s.name === 'blue1')
  assert.ok(server, 'blue1 in show servers state')
  return server
}

function health(server: ServerState): NodeHealth | undefined {
  const view: InstanceView = {
    name: 'lb1',
    weights: { blue: 100, green: 0 },
    servers: { blue: [server], green: [] },
    maintenance: 'off',
  }
  return healthOnInstances(fleet, record(), new Map(), [view], 'check')[0]
}

/** Polls `show servers state` (bounded: 15 s) until a state matches. */
async function until(what: string, match: (s: ServerState) => boolean): Promise<ServerState> {
  let last: ServerState | undefined
  for (let i = 0; i < 750; i++) {
    last = await blue1()
    if (match(last)) return last
    await sleep(20)
  }
  throw new Error(`blue1 never ${what}: last ${JSON.stringify(last)}`)
}

const L7OK = 15
const L7TOUT = 12

test('a check in flight after a passed one: healthy; after a failed one: unhealthy', async () => {
  const up = await until('passed its checks', (s) => s.opState === 2 && s.checkResult === 3)
  assert.equal(health(up)?.status, 'healthy')

  // From now on every check waits for its `timeout check` (1 s): a check is in flight most of the time.
  stalling = true
  const afterPass = await until('had a check in flight after a pass', (s) => s.checkResult === 0)
  assert.equal(afterPass.checkStatus, L7OK, JSON.stringify(afterPass))
  assert.equal(afterPass.opState, 2)
  assert.deepEqual(health(afterPass), {
    node: 'blue-1',
    status: 'healthy',
    detail: 'HAProxy blue1 UP on 1 instance(s)',
  })

  const afterFail = await until(
    'had a check in flight after a timed-out one',
    (s) => s.checkResult === 0 && s.checkStatus === L7TOUT,
  )
  assert.deepEqual(health(afterFail), {
    node: 'blue-1',
    status: 'unhealthy',
    detail: 'lb1: blue1 HAProxy check failed',
  })
})
