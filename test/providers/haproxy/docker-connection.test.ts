/**
 * How the haproxy provider reaches Docker hosts: the connection plan as data (golden), the
 * config errors, that DOCKER_HOST / DOCKER_CERT_PATH of the gwdeploy process never replace a
 * configured host, and an ssh:// host dialled for real (no sshd: a listener that records the
 * client's SSH identification line, which proves host, port and protocol on the wire).
 */
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type Dockerode from 'dockerode'
import { GwError } from '../../../src/core/errors.ts'
import {
  type ConnectionEnvironment,
  connect,
  type DockerHostConfig,
  describeConnection,
  dockerConnection,
  dockerOptions,
} from '../../../src/providers/haproxy/docker-connection.ts'

const GOLDEN = new URL('./golden/', import.meta.url)
const withAgent: ConnectionEnvironment = {
  sshAuthSock: '/run/user/1000/ssh-agent.sock',
  homeDir: '/home/deploy',
  user: 'deploy',
}
const noAgent: ConnectionEnvironment = { homeDir: '/home/deploy', user: 'deploy' }

const HOSTS: Array<[string, DockerHostConfig, ConnectionEnvironment]> = [
  ['unix socket', { host: 'unix:///var/run/docker.sock', publishAddress: '10.0.0.5' }, noAgent],
  ['tcp without TLS (default port 2375)', { host: 'tcp://10.0.0.21', publishAddress: '10.0.0.21' }, noAgent],
  [
    'tcp+TLS (default port 2376)',
    { host: 'tcp://docker1.internal', publishAddress: '10.0.0.21', tlsCertPath: '/etc/gwdeploy/docker1' },
    noAgent,
  ],
  [
    'tcp+TLS on another port',
    { host: 'tcp://10.0.0.22:5003', publishAddress: '10.0.0.22', tlsCertPath: '/etc/gwdeploy/docker2' },
    noAgent,
  ],
  [
    'ssh with user and port, key from the agent',
    { host: 'ssh://ops@10.0.0.23:2222', publishAddress: '10.0.0.23' },
    withAgent,
  ],
  [
    'ssh without user or port, no agent: ~/.ssh keys',
    { host: 'ssh://docker3.internal', publishAddress: '10.0.0.24' },
    noAgent,
  ],
  ['ssh to an IPv6 address', { host: 'ssh://ops@[fd00::25]', publishAddress: 'fd00::25' }, withAgent],
]

/** Compares with the golden file; GWDEPLOY_UPDATE_GOLDEN=1 rewrites it. */
async function golden(name: string, text: string) {
  const file = new URL(name, GOLDEN)
  if (process.env.GWDEPLOY_UPDATE_GOLDEN === '1') await writeFile(file, text)
  assert.equal(text, await readFile(file, 'utf8'), `${name} differs (GWDEPLOY_UPDATE_GOLDEN=1 rewrites it)`)
}

function configErrorAt(path: string, message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof GwError, String(error))
    assert.equal(error.exitCode, 2)
    assert.equal(error.location?.path, path)
    assert.match(error.message, message)
    return true
  }
}

describe('Docker host connections', () => {
  const scratch: string[] = []
  after(async () => {
    for (const dir of scratch) await rm(dir, { recursive: true, force: true })
  })
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gwd-conn-'))
    scratch.push(dir)
    return dir
  }

  it('golden: the connection plan for every kind of host', async () => {
    const plans = Object.fromEntries(
      HOSTS.map(([title, config, env], index) => [
        title,
        { host: config.host, ...describeConnection(dockerConnection(config, index, env)) },
      ]),
    )
    await golden('docker-connections.json', `${JSON.stringify(plans, null, 2)}\n`)
  })

  it('sets every option docker-modem would otherwise take from DOCKER_HOST / DOCKER_CERT_PATH', async () => {
    const { default: Docker } = await import('dockerode')
    const certs = await tempDir()
    const pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(join(certs, file), pem)
    const saved = { ...process.env }
    process.env.DOCKER_HOST = 'tcp://192.0.2.1:2376'
    process.env.DOCKER_CERT_PATH = certs
    process.env.DOCKER_TLS_VERIFY = '1'
    try {
      const modem = (config: DockerHostConfig, env = noAgent) =>
        dockerOptions(dockerConnection(config, 0, env)).then(
          (options) => (new Docker(options) as Dockerode & { modem: Record<string, unknown> }).modem,
        )
      const unix = await modem({ host: 'unix:///run/docker.sock', publishAddress: '127.0.0.1' })
      assert.equal(unix.host, undefined)
      assert.equal(unix.socketPath, '/run/docker.sock')
      assert.equal(unix.ca, undefined)
      const plain = await modem({ host: 'tcp://10.0.0.21', publishAddress: '10.0.0.21' })
      assert.deepEqual(
        [plain.host, plain.port, plain.protocol, plain.cert],
        ['10.0.0.21', 2375, 'http', undefined],
      )
      const ssh = await modem(
        { host: 'ssh://ops@10.0.0.23', publishAddress: '10.0.0.23' },
        { ...noAgent, sshAuthSock: '/agent.sock' },
      )
      assert.deepEqual([ssh.host, ssh.port, ssh.protocol, ssh.username], ['10.0.0.23', 22, 'ssh', 'ops'])
      assert.deepEqual(ssh.sshOptions, { agent: '/agent.sock', agentForward: undefined })
    } finally {
      for (const name of ['DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY']) {
        if (saved[name] === undefined) delete process.env[name]
        else process.env[name] = saved[name]
      }
    }
  })

  it('tlsCertPath: reads ca.pem, cert.pem, key.pem; a missing file is a config error (exit 2) at the key', async () => {
    const certs = await tempDir()
    await writeFile(join(certs, 'ca.pem'), 'CA')
    await writeFile(join(certs, 'cert.pem'), 'CERT')
    const config = { host: 'tcp://127.0.0.1:5003', publishAddress: '127.0.0.1', tlsCertPath: certs }
    await assert.rejects(
      dockerOptions(dockerConnection(config, 1, noAgent)),
      configErrorAt('provider.haproxy.dockerHosts[1].tlsCertPath', /cannot read .*key\.pem \(ENOENT\)/),
    )
    await writeFile(join(certs, 'key.pem'), 'KEY')
    const options = await dockerOptions(dockerConnection(config, 1, noAgent))
    assert.deepEqual(
      [options.protocol, String(options.ca), String(options.cert), String(options.key)],
      ['https', 'CA', 'CERT', 'KEY'],
    )
  })

  it('bad addresses are config errors naming the key', () => {
    const at =
      (host: string, extra: Partial<DockerHostConfig> = {}) =>
      () =>
        dockerConnection({ host, publishAddress: '10.0.0.1', ...extra }, 2, noAgent)
    assert.throws(at('unix://'), configErrorAt('provider.haproxy.dockerHosts[2].host', /names no socket/))
    assert.throws(at('ssh://'), configErrorAt('provider.haproxy.dockerHosts[2].host', /names no host/))
    assert.throws(
      at('http://10.0.0.1'),
      configErrorAt('provider.haproxy.dockerHosts[2].host', /must start with/),
    )
    assert.throws(
      at('ssh://ops@10.0.0.1', { tlsCertPath: '/certs' }),
      configErrorAt('provider.haproxy.dockerHosts[2].tlsCertPath', /only for tcp:\/\//),
    )
  })

  it('ssh without an agent: the first ~/.ssh default key that exists, else a config error saying what to do', async () => {
    const home = await tempDir()
    const env = { homeDir: home, user: 'deploy' }
    const config = { host: 'ssh://10.0.0.23', publishAddress: '10.0.0.23' }
    await assert.rejects(dockerOptions(dockerConnection(config, 0, env)), (error: unknown) => {
      assert.ok(error instanceof GwError)
      assert.equal(error.exitCode, 2)
      assert.match(
        error.message,
        /no SSH key for deploy@10\.0\.0\.23: SSH_AUTH_SOCK is not set and none of .*id_ed25519/,
      )
      assert.match(error.hint ?? '', /ssh-add/)
      return true
    })
    await mkdir(join(home, '.ssh'))
    await writeFile(join(home, '.ssh', 'id_rsa'), 'RSA KEY')
    await writeFile(join(home, '.ssh', 'id_ecdsa'), 'ECDSA KEY')
    const options = await dockerOptions(dockerConnection(config, 0, env))
    assert.equal(String(options.sshOptions?.privateKey), 'ECDSA KEY')
    assert.equal(options.username, 'deploy')
  })

  it('ssh:// dials host:port over SSH (the client identification reaches the listener), then fails with exit 6 naming the host, bounded in time', async () => {
    const received: string[] = []
    const server = createServer((socket) => {
      socket.once('data', (chunk) => {
        received.push(chunk.toString('latin1'))
        socket.destroy()
      })
      // An SSH server speaks first; an unusable one makes the client give up.
      socket.write('SSH-2.0-gwdeploy-test\r\n')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    try {
      const host = `ssh://ops@127.0.0.1:${port}`
      await assert.rejects(
        connect(
          { host, publishAddress: '127.0.0.1' },
          0,
          { ...noAgent, sshAuthSock: '/nonexistent/agent.sock' },
          { timeoutMs: 3_000 },
        ),
        (error: unknown) => {
          assert.ok(error instanceof GwError, String(error))
          assert.equal(error.exitCode, 6)
          assert.match(
            error.message,
            new RegExp(
              `Docker host ssh://ops@127\\.0\\.0\\.1:${port} is not reachable: no answer within 3 s`,
            ),
          )
          assert.match(error.hint ?? '', new RegExp(`ssh -p ${port} ops@127\\.0\\.0\\.1 docker version`))
          return true
        },
      )
      assert.match(received[0] ?? '', /^SSH-2\.0-/)
    } finally {
      server.close()
    }
  })
})
