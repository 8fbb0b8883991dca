/**
 * A haproxy target's identity on shared Docker hosts: the container name and labels it creates
 * (golden), whose a listed container is (ownerOf), the refusal text (golden), and the id kept
 * in the target's state file (created once, bad values refused without a write).
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { formatError, GwError } from '../../../src/core/errors.ts'
import {
  type ListedContainer,
  type OwnState,
  ownerOf,
  strangersError,
} from '../../../src/providers/haproxy/container-ownership.ts'
import { containerName, containerSpec } from '../../../src/providers/haproxy/container-spec.ts'
import { NEW_TARGET_ID, renderDocuments } from '../../../src/providers/haproxy/render.ts'
import { StateStore, TARGET_ID } from '../../../src/providers/haproxy/state.ts'
import type { FleetSpec } from '../../../src/providers/types.ts'

const GOLDEN = new URL('./golden/', import.meta.url)

/** Compares with the golden file; GWDEPLOY_UPDATE_GOLDEN=1 rewrites it. */
async function golden(name: string, text: string) {
  const file = new URL(name, GOLDEN)
  if (process.env.GWDEPLOY_UPDATE_GOLDEN === '1') await writeFile(file, text)
  assert.equal(text, await readFile(file, 'utf8'), `${name} differs (GWDEPLOY_UPDATE_GOLDEN=1 rewrites it)`)
}

const spec: FleetSpec = {
  service: 'api',
  env: 'prod',
  colour: 'blue',
  size: 1,
  port: 8080,
  healthPath: '/__health',
  artifact: {
    sha: 'abcdef0123456789abcdef0123456789abcdef01',
    sha7: 'abcdef0',
    configName: 'api rev-abcdef0',
    configDigest: 'sha256:0123456789abcdef0123',
    configText: '{}',
    image: 'registry.example.com/team/api@sha256:feed',
  },
}

const HOST = 'unix:///var/run/docker.sock'
const container = (labels: Record<string, string>, id = 'c0ffee0123456789'): ListedContainer => ({
  host: HOST,
  id,
  name: `gwdeploy-api-prod-blue-abcdef0-1`,
  labels: { 'gwdeploy.managed-by': 'gwdeploy', 'gwdeploy.target': 'api-prod', ...labels },
})
const recorded = (host: string, containerId: string): OwnState['fleets'] => ({
  blue: {
    colour: 'blue',
    sha: spec.artifact.sha,
    configName: spec.artifact.configName,
    configDigest: spec.artifact.configDigest,
    nodes: [
      {
        id: 'gwdeploy-api-prod-blue-abcdef0-1',
        slot: 0,
        address: '127.0.0.1',
        port: 32768,
        meta: { host, container: containerId },
      },
    ],
  },
})

describe('container name and labels', () => {
  it('golden: the create request carries the target id in its name and labels', async () => {
    const create = containerSpec(spec, {
      target: 'api-prod',
      targetId: '3f9a1c0b',
      slot: 0,
      publishAddress: '10.0.0.5',
      restartPolicy: 'unless-stopped',
    })
    await golden('container-create.json', `${JSON.stringify(create, null, 2)}\n`)
    assert.equal(create.name, 'gwdeploy-api-prod-3f9a1c0b-blue-abcdef0-1')
  })

  it("auth/revoker's port is exposed and published on the same address (an ephemeral host port)", () => {
    const options = {
      target: 'api-prod',
      targetId: '3f9a1c0b',
      slot: 0,
      publishAddress: '10.0.0.5',
      restartPolicy: 'no',
    }
    const create = containerSpec({ ...spec, artifact: { ...spec.artifact, revokerPort: 1234 } }, options)
    assert.deepEqual(Object.keys(create.ExposedPorts ?? {}), [`${spec.port}/tcp`, '1234/tcp'])
    assert.deepEqual(create.HostConfig?.PortBindings?.['1234/tcp'], [{ HostIp: '10.0.0.5', HostPort: '' }])
    assert.equal(
      create.Labels?.['gwdeploy.revoker-port'],
      '1234',
      'status reads the published port back by it',
    )
    assert.deepEqual(Object.keys(containerSpec(spec, options).ExposedPorts ?? {}), [`${spec.port}/tcp`])
  })

  it('two targets of one name get different container names', () => {
    assert.notEqual(
      containerName('api', '3f9a1c0b', 'green', 'abcdef0', 1),
      containerName('api', '77aa0c12', 'green', 'abcdef0', 1),
    )
    assert.equal(
      containerName('api', '77aa0c12', 'green', 'abcdef0', 1),
      'gwdeploy-api-77aa0c12-green-abcdef0-2',
    )
  })

  it('release --dry-run before the first provision shows a placeholder for the id', () => {
    const docs = renderDocuments(spec, {
      target: 'api-prod',
      backends: { blue: 'be_blue', green: 'be_green' },
      slots: 2,
      serverOptions: 'check',
      instances: [],
      dockerHosts: [{ host: HOST, publishAddress: '10.0.0.5' }],
      environment: { homeDir: '/home/deploy', user: 'deploy' },
      restartPolicy: 'no',
    })
    const create = JSON.parse(docs[1]?.content ?? '{}')
    assert.equal(create.name, `gwdeploy-api-prod-${NEW_TARGET_ID}-blue-abcdef0-1`)
    assert.equal(create.Labels['gwdeploy.target-id'], NEW_TARGET_ID)
  })
})

describe('whose container', () => {
  it('labelled with this target id: this target', () => {
    assert.deepEqual(
      ownerOf(container({ 'gwdeploy.target-id': '3f9a1c0b' }), { targetId: '3f9a1c0b', fleets: {} }),
      {
        owner: 'this',
      },
    )
  })

  it('labelled with another id: the other target, also when this one has no id yet', () => {
    const other = container({ 'gwdeploy.target-id': '77aa0c12' })
    assert.deepEqual(ownerOf(other, { targetId: '3f9a1c0b', fleets: {} }), {
      owner: 'other',
      targetId: '77aa0c12',
    })
    assert.deepEqual(ownerOf(other, { fleets: {} }), { owner: 'other', targetId: '77aa0c12' })
  })

  it('labelled with another id: not adopted even when this target recorded it', () => {
    const other = container({ 'gwdeploy.target-id': '77aa0c12' })
    assert.equal(
      ownerOf(other, { targetId: '3f9a1c0b', fleets: recorded(HOST, 'c0ffee012345') }).owner,
      'other',
    )
  })

  it('without an id (an older gwdeploy): this target only when its fleet record names that container on that host', () => {
    const legacy = container({})
    assert.equal(ownerOf(legacy, { fleets: recorded(HOST, 'c0ffee012345') }).owner, 'this')
    assert.equal(
      ownerOf(legacy, { targetId: '3f9a1c0b', fleets: recorded(HOST, 'c0ffee012345') }).owner,
      'this',
    )
    assert.equal(
      ownerOf(legacy, { fleets: recorded(HOST, 'deadbeef0000') }).owner,
      'unknown',
      'another container id',
    )
    assert.equal(
      ownerOf(legacy, { fleets: recorded('tcp://10.0.0.9:2376', 'c0ffee012345') }).owner,
      'unknown',
      'another host',
    )
    assert.equal(
      ownerOf(legacy, { fleets: recorded(HOST, '') }).owner,
      'unknown',
      'a record without container id',
    )
    assert.equal(ownerOf(legacy, { fleets: {} }).owner, 'unknown')
  })
})

describe('the refusal', () => {
  it('golden: exit 2, naming the host, the containers, their ids and the way out', async () => {
    const error = strangersError(
      [
        {
          ...container({ 'gwdeploy.target-id': '77aa0c12' }),
          name: 'gwdeploy-api-prod-77aa0c12-blue-abcdef0-1',
          owner: { owner: 'other', targetId: '77aa0c12' },
        },
        { ...container({}), name: 'gwdeploy-api-prod-green-1234567-1', owner: { owner: 'unknown' } },
      ],
      { target: 'api-prod', targetId: '3f9a1c0b', stateFile: '/var/lib/gwdeploy/gwdeploy-api-prod.json' },
    )
    assert.ok(error instanceof GwError)
    assert.equal(error.exitCode, 2)
    assert.equal(error.code, 'config')
    assert.deepEqual(error.location, { file: 'gwdeploy.yml', path: 'service' })
    await golden('strangers-error.txt', `${formatError(error)}\n`)
  })

  it('several hosts are all named; a target without an id says so', () => {
    const error = strangersError(
      [
        {
          ...container({ 'gwdeploy.target-id': '77aa0c12' }),
          owner: { owner: 'other', targetId: '77aa0c12' },
        },
        {
          ...container({ 'gwdeploy.target-id': '77aa0c12' }),
          host: 'ssh://ops@docker2',
          owner: { owner: 'other', targetId: '77aa0c12' },
        },
      ],
      { target: 'api-prod', targetId: undefined, stateFile: '/s/gwdeploy-api-prod.json' },
    )
    assert.match(
      error.message,
      /Docker hosts unix:\/\/\/var\/run\/docker\.sock, ssh:\/\/ops@docker2 already run/,
    )
    assert.match(error.message, /\(this target has no id yet: \/s\/gwdeploy-api-prod\.json holds none\)/)
    assert.equal(error.problems.length, 2)
    assert.doesNotMatch(error.hint ?? '', /docker rm/)
  })
})

describe('the target id in the state file', () => {
  const dirs: string[] = []
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })
  const scratch = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gwd-target-id-'))
    dirs.push(dir)
    return dir
  }

  it('is created once, kept beside the fleet record, and read back by every later store', async () => {
    const dir = await scratch()
    const store = new StateStore(dir, 'api-prod')
    await store.update((state) => {
      state.fleets = recorded(HOST, 'c0ffee012345')
    })
    assert.equal((await store.read()).targetId, undefined)
    const id = await store.claimTargetId()
    assert.match(id, TARGET_ID)
    assert.equal(await store.claimTargetId(), id)
    const again = new StateStore(dir, 'api-prod')
    assert.equal(await again.claimTargetId(), id)
    const saved = JSON.parse(await readFile(join(dir, 'gwdeploy-api-prod.json'), 'utf8'))
    assert.equal(saved.targetId, id)
    assert.equal(saved.fleets.blue.nodes[0].meta.container, 'c0ffee012345', 'the fleet record is kept')
    assert.notEqual(await new StateStore(await scratch(), 'api-prod').claimTargetId(), id)
  })

  it('a value gwdeploy would not write is a config error naming the file; nothing is written', async () => {
    const dir = await scratch()
    const file = join(dir, 'gwdeploy-api-prod.json')
    for (const bad of ['3F9A1C0B', '3f9a1c0', 'api', 12345678, null]) {
      const text = `${JSON.stringify({ targetId: bad, fleets: {} })}\n`
      await writeFile(file, text)
      const store = new StateStore(dir, 'api-prod')
      await assert.rejects(store.claimTargetId(), (error: unknown) => {
        assert.ok(error instanceof GwError)
        assert.equal(error.exitCode, 2)
        assert.deepEqual(error.location, { file, path: 'targetId' })
        assert.match(error.message, /is not a gwdeploy target id \(8 hex digits\)/)
        return true
      })
      assert.equal(await readFile(file, 'utf8'), text, `unchanged after ${JSON.stringify(bad)}`)
    }
  })

  it("a torn state file is named as the haproxy target's (exit 6), not read as empty; nothing is written", async () => {
    const dir = await scratch()
    const file = join(dir, 'gwdeploy-api-prod.json')
    const text = '{"targetId":"3f9a1c0b","fleets":{"blue":{"sha":"0101'
    await writeFile(file, text)
    await assert.rejects(new StateStore(dir, 'api-prod').claimTargetId(), (error: unknown) => {
      assert.ok(error instanceof GwError)
      assert.equal(error.exitCode, 6)
      assert.match(error.message, new RegExp(`^haproxy: state file ${file} is corrupt`))
      assert.match(error.hint ?? '', /target id to put back/)
      return true
    })
    assert.equal(await readFile(file, 'utf8'), text)
  })
})
