// A node's health across HAProxy instances: every instance is asked, and one that refuses the node's
// share of requests (its slot in maintenance, or pointing elsewhere) decides over another whose check
// is still pending.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type Dockerode from 'dockerode'
import { containerHealth } from '../../../src/providers/haproxy/container-state.ts'
import type { InstanceView } from '../../../src/providers/haproxy/instance.ts'
import { healthOnInstances } from '../../../src/providers/haproxy/node-health.ts'
import type { ServerState } from '../../../src/providers/haproxy/runtime-api.ts'
import type { FleetRecord } from '../../../src/providers/haproxy/state.ts'
import type { Fleet } from '../../../src/providers/types.ts'

const fleet: Fleet = {
  colour: 'green',
  sha: '02'.repeat(20),
  configName: 'demo',
  configDigest: 'sha256:x',
  nodes: [{ id: 'green-1', colour: 'green', address: '127.0.0.1:8101' }],
}
const record: FleetRecord = {
  ...fleet,
  nodes: [{ id: 'green-1', slot: 0, address: '127.0.0.1', port: 8101 }],
}

const server = (state: Partial<ServerState>): ServerState => ({
  backend: 'be_green',
  name: 'green1',
  address: '127.0.0.1',
  port: 8101,
  opState: 2,
  adminState: 0,
  weight: 1,
  checkResult: 3,
  checkStatus: 15,
  ...state,
})
const instance = (name: string, green: ServerState): InstanceView => ({
  name,
  weights: { blue: 0, green: 100 },
  servers: { blue: [], green: [green] },
  maintenance: 'off',
})
const healthOf = (views: InstanceView[]) => healthOnInstances(fleet, record, new Map(), views, 'check')[0]

// Never checked yet (HCHK_STATUS_INI): a check in flight after a finished one is check-in-flight.test.ts.
const pending = server({ checkResult: 0, checkStatus: 1 })
const inMaintenance = server({ adminState: 0x01 })

test('a slot in maintenance on a later instance is unhealthy even while an earlier one has its check pending', () => {
  const health = healthOf([instance('lb1', pending), instance('lb2', inMaintenance)])
  assert.equal(health?.status, 'unhealthy')
  assert.equal(health?.detail, 'lb2: green1 in maintenance while lb2 sends green 100% of requests')
})

test('a slot given weight 0 by hand gets no requests: unhealthy where its colour has traffic, starting where not', () => {
  const unweighted = server({ weight: 0 })
  const health = healthOf([instance('lb1', server({})), instance('lb2', unweighted)])
  assert.equal(health?.status, 'unhealthy')
  assert.equal(
    health?.detail,
    'lb2: green1 has weight 0 (gets no requests) while lb2 sends green 100% of requests',
  )
  const idle = { ...instance('lb1', unweighted), weights: { blue: 100, green: 0 } }
  assert.equal(healthOf([idle])?.status, 'starting')
})

test('a pending check alone is starting; every instance serving the node is healthy', () => {
  assert.equal(healthOf([instance('lb1', server({})), instance('lb2', pending)])?.status, 'starting')
  const healthy = healthOf([instance('lb1', server({})), instance('lb2', server({}))])
  assert.equal(healthy?.status, 'healthy')
  assert.equal(healthy?.detail, 'HAProxy green1 UP on 2 instance(s)')
})

test("a container whose image HEALTHCHECK fails: the check's last output is the reason, 'unhealthy' is said once", () => {
  const info = {
    State: {
      Running: true,
      Restarting: false,
      Health: {
        Status: 'unhealthy',
        Log: [{ Output: 'probe 1\ncurl: (7) Failed to connect to 127.0.0.1 port 8080\n' }],
      },
    },
  } as unknown as Dockerode.ContainerInspectInfo
  assert.deepEqual(containerHealth('c1', info, { colour: 'blue', sha: 'a'.repeat(40) }), {
    node: 'c1',
    status: 'unhealthy',
    detail: 'its image HEALTHCHECK fails (curl: (7) Failed to connect to 127.0.0.1 port 8080)',
  })
})
