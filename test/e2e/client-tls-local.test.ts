/**
 * client_tls through a real release on the local provider: the CA and client certificate named by
 * relative paths ship with the release, the private key stays where the node reads it (an absolute
 * path), and the node reaches an mTLS backend with them. A relative private key is refused before
 * anything runs.
 */
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { TLSSocket } from 'node:tls'
import { liveName, makeProject, type Project, sha } from '../core/helpers/project.ts'
import { allFiles } from '../helpers/files.ts'
import { type Authority, certificateAuthority, type KeyPair } from '../helpers/tls-authority.ts'

describe('client_tls on a local release: certificates ship, the key does not', () => {
  let project: Project
  let backend: Server
  let ca: Authority
  let client: KeyPair
  let keyPath: string
  const gatewayConfig = (privateKey: string, port: number) => ({
    version: 3,
    name: 'e2e',
    client_tls: {
      ca_certs: ['tls/ca.pem'],
      client_certs: [{ certificate: 'tls/client.pem', private_key: privateKey }],
    },
    endpoints: [
      { endpoint: '/v1/who', backend: [{ host: [`https://127.0.0.1:${port}`], url_pattern: '/who' }] },
    ],
  })

  before(async () => {
    ca = await certificateAuthority()
    const server = await ca.issue({ commonName: 'backend', altNames: ['IP:127.0.0.1'] })
    client = await ca.issue({ commonName: 'gateway-client', usage: 'clientAuth' })
    backend = createServer(
      { ...server, ca: ca.cert, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ client: (req.socket as TLSSocket).getPeerCertificate().subject.CN }))
      },
    )
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
    project = await makeProject({ size: 1 })
    await mkdir(join(project.dir, 'tls'))
    await writeFile(join(project.dir, 'tls', 'ca.pem'), ca.cert)
    await writeFile(join(project.dir, 'tls', 'client.pem'), client.cert)
    await mkdir(join(project.dir, 'secrets'))
    keyPath = join(project.dir, 'secrets', 'client.key')
    await writeFile(keyPath, client.key, { mode: 0o600 })
  })
  after(async () => {
    await project?.cleanup()
    await new Promise((resolve) => backend?.close(resolve))
  })

  it('the node reaches the mTLS backend with the shipped CA and certificate and the key from its own path', async () => {
    const port = (backend.address() as AddressInfo).port
    await writeFile(join(project.dir, 'gateway.json'), JSON.stringify(gatewayConfig(keyPath, port)))
    const released = await project.run(['release', '--sha', sha(1)])
    assert.equal(released.code, 0, released.stderr)
    const res = await fetch(`http://127.0.0.1:${project.port}/v1/who`)
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { client: 'gateway-client' })

    const files = await allFiles(project.stateDir)
    const shipped = files.filter((f) => /[/\\]tls[/\\](ca|client)\.pem$/.test(f.path))
    assert.deepEqual(
      shipped.map((f) => f.text).sort(),
      [ca.cert, client.cert].sort(),
      'both certificates ship',
    )
    const keyBody = client.key.split('\n')[1] as string
    for (const file of files) assert.ok(!file.text.includes(keyBody), `${file.path} holds the private key`)
  })

  it('a relative private key: exit 2 naming the key, nothing changes', async () => {
    const port = (backend.address() as AddressInfo).port
    await writeFile(join(project.dir, 'secrets.key'), client.key)
    await writeFile(join(project.dir, 'gateway.json'), JSON.stringify(gatewayConfig('secrets.key', port)))
    const live = await liveName(project.port)
    const result = await project.run(['release', '--sha', sha(2)])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /client_tls\.client_certs\[0\]\.private_key/)
    assert.match(result.stderr, /gwdeploy never ships a private key/)
    assert.equal(await liveName(project.port), live)
  })
})
