/**
 * fleet.env on haproxy Docker hosts: a secret in a file on the Docker host reaches the containers
 * through a read-only bind mount (the runtime reads it at start and renders the stamped
 * config's {{env `X`}}), proven through HAProxy by a CORS preflight that only the secret origin
 * passes. The secret is in no output, --json envelope, history, image label, image layer
 * (`docker save`) or container definition (`docker inspect`).
 */
import assert from 'node:assert/strict'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type Dockerode from 'dockerode'
import { stringify } from 'yaml'
import { GATEWAY_CONFIG, makeProject, type Project, sha } from '../core/helpers/project.ts'
import { testDocker, uniqueName } from '../helpers/docker.ts'
import { requireBaseImage, requireDocker, requireRegistry } from '../helpers/services.ts'
import { type HaproxyInstance, haproxyConfig, startHaproxy } from '../providers/haproxy/helpers.ts'

const SECRET = 'hostsecret4b1d9e07c2'
const ORIGIN = `https://${SECRET}.example`

const TEMPLATE = JSON.stringify(
  {
    ...GATEWAY_CONFIG,
    extra_config: {
      'security/cors': { allow_origins: ['{{ env "ORIGIN_HOST" }}'], allow_methods: ['GET'] },
    },
  },
  null,
  2,
).replace('"{{ env \\"ORIGIN_HOST\\" }}"', '"https://{{ env "ORIGIN_HOST" }}.example"')

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer))
  return Buffer.concat(chunks).toString('latin1')
}

describe('fleet.env on haproxy Docker hosts: a host-file secret, nowhere in images or containers', {
  concurrency: false,
}, () => {
  let project: Project
  let lb: HaproxyInstance
  let docker: Dockerode
  const outputs: Array<[string, string]> = []

  const target = uniqueName('e2e')
  const containers = () =>
    docker.listContainers({ all: true, filters: { label: [`gwdeploy.target=${target}`] } })

  before(async () => {
    const { host } = await requireDocker()
    docker = (await testDocker()).docker
    project = await makeProject()
    lb = await startHaproxy()
    await writeFile(join(project.dir, 'gateway.json'), TEMPLATE)
    const secretFile = join(project.dir, 'origin-host')
    await writeFile(secretFile, `${SECRET}\n`)
    await chmod(secretFile, 0o644) // the image runs as uid 1000
    const config = haproxyConfig({
      service: target,
      instances: [lb],
      dockerHost: host,
      repository: `${(await requireRegistry()).host}/gwdeploy-test/${uniqueName('fenv')}`,
      baseImage: await requireBaseImage(),
      size: 1,
    }) as { gateway: Record<string, unknown>; fleet: Record<string, unknown> }
    config.gateway.flexibleConfig = {}
    config.fleet.env = { ORIGIN_HOST: { fromFile: secretFile }, LOG_NOTE: 'plain' }
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
  })
  after(async () => {
    await project?.cleanup()
    for (const info of await containers().catch(() => []))
      await docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => {})
    await lb?.stop()
  })

  it('releases; the container read the secret from the mounted host file', async () => {
    const released = await project.json(['release', '--sha', sha(1)])
    outputs.push(['release --json', JSON.stringify(released.envelope)])
    assert.equal(released.code, 0, JSON.stringify(released.envelope))
    const preflight = (origin: string) =>
      fetch(`http://127.0.0.1:${lb.port}/v1/ping`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      })
    const allowed = await preflight(ORIGIN)
    assert.equal(allowed.headers.get('access-control-allow-origin'), ORIGIN)
    const other = await preflight('https://other.example')
    assert.equal(other.headers.get('access-control-allow-origin'), null)
  })

  it('no output, label, layer or container definition holds the secret', async () => {
    for (const args of [['history'], ['status'], ['release', '--sha', sha(2), '--dry-run']]) {
      const result = await project.run(args)
      outputs.push([`${args.join(' ')} stdout`, result.stdout], [`${args.join(' ')} stderr`, result.stderr])
      const json = await project.run([...args, '--json'])
      outputs.push([`${args.join(' ')} --json`, json.stdout])
    }
    const list = await containers()
    assert.equal(list.length, 1)
    const info = list[0] as Dockerode.ContainerInfo
    const inspected = await docker.getContainer(info.Id).inspect()
    outputs.push(['docker inspect (container)', JSON.stringify(inspected)])
    assert.ok(inspected.Config.Env.includes('LOG_NOTE=plain'), 'plain values travel in Env')
    assert.ok(
      inspected.Mounts.some((m) => m.Destination === '/run/gwdeploy/env/ORIGIN_HOST' && m.RW === false),
      'the secret file is mounted read-only',
    )
    const image = docker.getImage(inspected.Image)
    outputs.push(['docker inspect (image)', JSON.stringify(await image.inspect())])
    outputs.push(['docker save (every layer)', await streamText(await image.get())])
    for (const [where, text] of outputs) assert.ok(!text.includes(SECRET), `${where} contains the secret`)
  })
})
