/**
 * haproxy provider with a tcp+TLS Docker host, through the built CLI: the test dockerd's TLS
 * listener (127.0.0.1, client certificates made by scripts/services.sh) named in
 * provider.haproxy.dockerHosts with a tlsCertPath relative to gwdeploy.yml. A release and a
 * switch work over it; a tlsCertPath without the files is exit 2 at the key, and certificates
 * from another CA are exit 6 with a TLS hint; neither changes containers or traffic.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cp, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import type Dockerode from 'dockerode'
import { stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import { removeTargetContainers, targetContainers, testDocker, uniqueName } from '../helpers/docker.ts'
import { requireBaseImage, requireDocker, requireDockerTls, requireRegistry } from '../helpers/services.ts'
import {
  askName,
  type HaproxyInstance,
  type HaproxyProjectOptions,
  haproxyConfig,
  startHaproxy,
} from '../providers/haproxy/helpers.ts'

const execFileAsync = promisify(execFile)

type Failure = { error: { message: string; hint?: string; location?: { path?: string } } }
type Status = { result: { colours: Array<{ nodes: Array<{ meta?: { host?: string } }> }> } }

describe('haproxy provider on a tcp+TLS Docker host (CLI)', { concurrency: false }, () => {
  let project: Project
  let lb: HaproxyInstance
  let docker: Dockerode
  let tlsHost: string
  let base: HaproxyProjectOptions
  const target = uniqueName('haptls')
  const name = (n: number) => `${target} rev-${sha(n).slice(0, 7)}`

  const writeConfig = (tlsCertPath: string) =>
    writeFile(
      join(project.dir, 'gwdeploy.yml'),
      stringify({
        ...haproxyConfig({
          ...base,
          dockerHosts: [{ host: tlsHost, publishAddress: '127.0.0.1', tlsCertPath }],
        }),
        service: target,
      }),
    )
  const containerIds = async () =>
    (await targetContainers(docker, target))
      .map((info) => `${info.Labels['gwdeploy.colour']} ${info.Id}`)
      .sort()

  before(async () => {
    const tls = await requireDockerTls()
    await requireDocker()
    tlsHost = tls.host
    docker = (await testDocker()).docker
    project = await makeProject()
    // Relative to gwdeploy.yml, as an operator would keep them beside it.
    await cp(tls.certPath, join(project.dir, 'certs', 'docker1'), { recursive: true })
    lb = await startHaproxy()
    base = {
      instances: [lb],
      repository: `${(await requireRegistry()).host}/gwdeploy-test/${target}`,
      baseImage: await requireBaseImage(),
      size: 2,
    }
    await writeConfig('certs/docker1')
  })
  after(async () => {
    await project?.cleanup()
    await removeTargetContainers(docker, target)
    await lb?.stop()
  })

  it('releases and switches colours with the containers on the TLS host', async () => {
    const first = await project.json(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, JSON.stringify(first.envelope))
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
    const second = await project.json(['release', '--sha', sha(2)])
    assert.equal(second.code, 0, JSON.stringify(second.envelope))
    assert.equal(await lb.green(), 100)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
    const ids = await containerIds()
    assert.equal(ids.filter((id) => id.startsWith('green ')).length, 2)
    const status = await project.json<Status>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    const hosts = status.envelope.result.colours.flatMap((colour) =>
      colour.nodes.map((node) => node.meta?.host),
    )
    assert.equal(hosts.length, 4)
    for (const host of hosts) assert.equal(host, tlsHost, 'every node was created through the TLS host')
  })

  it('a tlsCertPath without the certificate files: exit 2 naming the key, nothing changed', async () => {
    const before = await containerIds()
    await writeConfig('certs/nope')
    const failed = await project.json<Failure>(['release', '--sha', sha(3)])
    await writeConfig('certs/docker1')
    assert.equal(failed.code, 2, JSON.stringify(failed.envelope))
    assert.match(
      failed.envelope.error.message,
      /provider\.haproxy\.dockerHosts\[0\]\.tlsCertPath: cannot read .*certs\/nope\/(ca|cert|key)\.pem \(ENOENT\)/,
    )
    assert.match(failed.envelope.error.hint ?? '', /ca\.pem, cert\.pem and key\.pem/)
    assert.deepEqual(await containerIds(), before)
    assert.equal(await lb.green(), 100)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
  })

  it('certificates from another CA: exit 6 with a TLS hint, nothing changed', async () => {
    const before = await containerIds()
    const other = join(project.dir, 'certs', 'other')
    await mkdir(other, { recursive: true })
    await makeCertificates(other)
    await writeConfig('certs/other')
    const failed = await project.json<Failure>(['release', '--sha', sha(3)])
    await writeConfig('certs/docker1')
    assert.equal(failed.code, 6, JSON.stringify(failed.envelope))
    assert.match(
      failed.envelope.error.message,
      new RegExp(`the Docker host ${tlsHost.replaceAll('.', '\\.')} is not reachable`),
    )
    assert.match(failed.envelope.error.hint ?? '', /TLS handshake failed: the certificates in .*certs\/other/)
    assert.deepEqual(await containerIds(), before)
    assert.equal(await lb.green(), 100)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
  })
})

/** A self-signed CA and a client certificate it signs: valid files the test dockerd does not trust. */
async function makeCertificates(dir: string): Promise<void> {
  const openssl = (...args: string[]) => execFileAsync('openssl', args, { cwd: dir })
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=untrusted CA',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
  )
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=untrusted client',
    '-keyout',
    'key.pem',
    '-out',
    'client.csr',
  )
  await openssl(
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    'cert.pem',
  )
}
