/**
 * The real services the tests talk to, started by `scripts/services.sh start` (which writes
 * .ci/state/services.env). Each `require*()` checks that its service answers and returns how
 * to reach it, or THROWS with what to run: a missing component fails a test, it never skips.
 *
 * Variables come from the environment, else from .ci/state/services.env, so a developer can
 * run `node --test test/...` without sourcing the file first.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { type IncomingMessage, request } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const servicesEnvFile = join(repoRoot, '.ci', 'state', 'services.env')
const HOW = `run \`scripts/services.sh start\` and \`source .ci/state/services.env\``

let fileEnv: Record<string, string> | undefined

function readEnvFile(): Record<string, string> {
  if (fileEnv) return fileEnv
  fileEnv = {}
  if (existsSync(servicesEnvFile)) {
    for (const line of readFileSync(servicesEnvFile, 'utf8').split('\n')) {
      const match = /^\s*(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line)
      if (match?.[1] && match[2] !== undefined) fileEnv[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2')
    }
  }
  return fileEnv
}

/** A test-service variable from the environment, else from .ci/state/services.env. */
export function serviceEnv(name: string): string | undefined {
  const value = process.env[name]
  if (value !== undefined && value !== '') return value
  return readEnvFile()[name]
}

function mustEnv(name: string, what: string): string {
  const value = serviceEnv(name)
  if (value === undefined || value === '') {
    throw new Error(`${what}: ${name} is not set and ${servicesEnvFile} does not define it: ${HOW}`)
  }
  return value
}

interface HttpAnswer {
  status: number
  body: string
}

function httpGet(
  url: string,
  options: { socketPath?: string; timeoutMs?: number; tls?: { ca: Buffer; cert: Buffer; key: Buffer } } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }
    const req = options.tls
      ? httpsRequest(url, { ...options.tls }, onResponse)
      : request(
          options.socketPath ? { socketPath: options.socketPath, path: url, method: 'GET' } : new URL(url),
          onResponse,
        )
    req.setTimeout(options.timeoutMs ?? 3000, () => req.destroy(new Error('timed out')))
    req.on('error', reject)
    req.end()
  })
}

const cached = new Map<string, Promise<unknown>>()
function once<T>(key: string, fn: () => Promise<T>): Promise<T> {
  let value = cached.get(key) as Promise<T> | undefined
  if (!value) {
    value = fn()
    cached.set(key, value)
    value.catch(() => cached.delete(key))
  }
  return value
}

export interface DockerInfo {
  /** DOCKER_HOST as set for the tests, e.g. unix:///run/gwdeploy-test/docker.sock */
  host: string
  socketPath: string
  apiVersion: string
}

/** The test dockerd (DOCKER_HOST); also sets process.env.DOCKER_HOST so code under test finds it. */
export function requireDocker(): Promise<DockerInfo> {
  return once('docker', async () => {
    const host = serviceEnv('GWDEPLOY_TEST_DOCKER_HOST') ?? mustEnv('DOCKER_HOST', 'dockerd')
    if (!host.startsWith('unix://')) throw new Error(`dockerd: tests expect a unix socket, got ${host}`)
    const socketPath = host.slice('unix://'.length)
    let version: HttpAnswer
    try {
      version = await httpGet('/version', { socketPath })
    } catch (error) {
      throw new Error(`dockerd not reachable at ${host} (${(error as Error).message}): ${HOW}`)
    }
    if (version.status !== 200) throw new Error(`dockerd at ${host} answered ${version.status}: ${HOW}`)
    process.env.DOCKER_HOST = host
    const apiVersion = (JSON.parse(version.body) as { ApiVersion?: string }).ApiVersion ?? ''
    return { host, socketPath, apiVersion }
  })
}

export interface DockerTlsInfo {
  /** tcp://127.0.0.1:PORT of the same test dockerd, TLS with client certificates */
  host: string
  /** DOCKER_CERT_PATH-style directory: ca.pem, cert.pem, key.pem */
  certPath: string
  apiVersion: string
}

/** The test dockerd's tcp+TLS listener (the same engine as `requireDocker()`). */
export function requireDockerTls(): Promise<DockerTlsInfo> {
  return once('docker-tls', async () => {
    const host = mustEnv('GWDEPLOY_TEST_DOCKER_TLS_HOST', 'dockerd tcp+TLS')
    const certPath = mustEnv('GWDEPLOY_TEST_DOCKER_CERT_PATH', 'dockerd tcp+TLS')
    if (!host.startsWith('tcp://')) throw new Error(`dockerd tcp+TLS: expected tcp://HOST:PORT, got ${host}`)
    const restart = `${HOW} (a dockerd started by an older scripts/services.sh has no TLS listener: \`scripts/services.sh stop dockerd && scripts/services.sh start\`)`
    let tls: { ca: Buffer; cert: Buffer; key: Buffer }
    try {
      const read = (file: string) => readFileSync(join(certPath, file))
      tls = { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') }
    } catch (error) {
      throw new Error(
        `dockerd tcp+TLS: client certificates missing (${(error as Error).message}): ${restart}`,
      )
    }
    let version: HttpAnswer
    try {
      version = await httpGet(`https://${host.slice('tcp://'.length)}/version`, { tls })
    } catch (error) {
      throw new Error(`dockerd not reachable at ${host} over TLS (${(error as Error).message}): ${restart}`)
    }
    if (version.status !== 200) throw new Error(`dockerd at ${host} answered ${version.status}: ${HOW}`)
    const apiVersion = (JSON.parse(version.body) as { ApiVersion?: string }).ApiVersion ?? ''
    return { host, certPath, apiVersion }
  })
}

/** The Node 24 base image made by scripts/make-base-image.sh inside the test dockerd. */
export function requireBaseImage(): Promise<string> {
  return once('base-image', async () => {
    const docker = await requireDocker()
    const image = mustEnv('GWDEPLOY_TEST_BASE_IMAGE', 'base image')
    const answer = await httpGet(`/images/${encodeURIComponent(image)}/json`, {
      socketPath: docker.socketPath,
    })
    if (answer.status !== 200) {
      throw new Error(
        `base image ${image} not found in dockerd at ${docker.host}: run \`scripts/make-base-image.sh\``,
      )
    }
    return image
  })
}

export interface RegistryInfo {
  /** host:port, as used in image references */
  host: string
  url: string
}

/** The registry without auth (127.0.0.1:5000). */
export function requireRegistry(): Promise<RegistryInfo> {
  return once('registry', async () => {
    const host = mustEnv('GWDEPLOY_TEST_REGISTRY', 'registry')
    await expectStatus(`http://${host}/v2/`, 200, `registry at ${host}`)
    return { host, url: `http://${host}` }
  })
}

export interface AuthRegistryInfo extends RegistryInfo {
  user: string
  password: string
}

/** The registry with htpasswd auth (127.0.0.1:5001) and its test user. */
export function requireAuthRegistry(): Promise<AuthRegistryInfo> {
  return once('auth-registry', async () => {
    const host = mustEnv('GWDEPLOY_TEST_AUTH_REGISTRY', 'auth registry')
    const user = mustEnv('GWDEPLOY_TEST_REGISTRY_USER', 'auth registry')
    const password = mustEnv('GWDEPLOY_TEST_REGISTRY_PASSWORD', 'auth registry')
    await expectStatus(`http://${host}/v2/`, 401, `auth registry at ${host}`)
    return { host, url: `http://${host}`, user, password }
  })
}

export interface MotoInfo {
  endpoint: string
  region: string
  credentials: { accessKeyId: string; secretAccessKey: string }
}

/**
 * moto_server (AWS emulator), shared by test files running side by side: each keeps to its own
 * resources (unique names), and none resets it.
 */
export function requireMoto(): Promise<MotoInfo> {
  return once('moto', async () => {
    const endpoint = mustEnv('GWDEPLOY_TEST_MOTO_ENDPOINT', 'moto_server')
    await expectStatus(`${endpoint}/moto-api/`, 200, `moto_server at ${endpoint}`)
    return {
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    }
  })
}

/**
 * Connects to host:port, sends `hello` and resolves once the server's first bytes start with
 * `expected` (a broker's protocol greeting), else rejects with `what` and how to start it.
 */
/** The server answers `hello` with `expected`, after its first `skip` bytes. */
function expectGreeting(
  address: string,
  hello: Buffer,
  expected: Buffer,
  what: string,
  skip = 0,
): Promise<void> {
  const url = new URL(address)
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      socket.destroy()
      reject(new Error(`${what} at ${url.host} ${why}: ${HOW}`))
    }
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => socket.write(hello))
    socket.setTimeout(3000, () => fail('did not greet within 3 s'))
    socket.on('error', (error) => fail(`is not reachable (${error.message})`))
    let seen = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk])
      if (seen.length < skip + expected.length) return
      if (seen.subarray(skip, skip + expected.length).equals(expected)) {
        socket.destroy()
        resolve()
      } else fail('answered something else')
    })
  })
}

export interface BrokerInfo {
  /** The broker's URL, credentials included (test brokers on 127.0.0.1 only). */
  url: string
}

/**
 * RabbitMQ (AMQP 0-9-1), shared by test files running side by side: each uses exchanges and
 * queues of its own (unique names) and deletes them.
 */
export function requireRabbitMq(): Promise<BrokerInfo> {
  return once('rabbitmq', async () => {
    const url = mustEnv('GWDEPLOY_TEST_AMQP_URL', 'RabbitMQ')
    // The protocol header; a broker answers with a connection.start method frame (type 1, channel 0).
    await expectGreeting(
      url,
      Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'),
      Buffer.from([1, 0, 0]),
      'RabbitMQ',
    )
    return { url }
  })
}

/** NATS, shared like RabbitMQ: each test file uses subjects of its own. */
export function requireNats(): Promise<BrokerInfo> {
  return once('nats', async () => {
    const url = mustEnv('GWDEPLOY_TEST_NATS_URL', 'NATS')
    await expectGreeting(url, Buffer.alloc(0), Buffer.from('INFO '), 'NATS')
    return { url }
  })
}

/**
 * Kafka (a single-node KRaft broker), shared like RabbitMQ: each test file uses topics and consumer
 * groups of its own. `brokers` is host:port, as KAFKA_BROKERS takes it.
 */
export function requireKafka(): Promise<{ brokers: string }> {
  return once('kafka', async () => {
    const brokers = mustEnv('GWDEPLOY_TEST_KAFKA_BROKERS', 'Kafka')
    // ApiVersions v0 (key 18), correlation id 1, no client id: a broker answers, after the reply's
    // size, with the same correlation id and error code 0.
    await expectGreeting(
      `kafka://${brokers}`,
      Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff]),
      Buffer.from([0, 0, 0, 1, 0, 0]),
      'Kafka',
      4,
    )
    return { brokers }
  })
}

const execFileAsync = promisify(execFile)

/** An installed program: returns its path, or throws naming the Debian package. */
export function requireCommand(command: string, debianPackage: string, versionArgs = ['--version']) {
  return once(`cmd:${command}`, async () => {
    const { stdout } = await execFileAsync('sh', ['-c', `command -v ${command}`]).catch(() => ({
      stdout: '',
    }))
    const path = stdout.trim()
    if (!path)
      throw new Error(
        `${command} not installed: run \`bash .ci/run\` or \`apt-get install ${debianPackage}\``,
      )
    try {
      const out = await execFileAsync(path, versionArgs)
      return { path, version: `${out.stdout}${out.stderr}`.trim() }
    } catch (error) {
      throw new Error(`${command} at ${path} does not run: ${(error as Error).message}`)
    }
  })
}

export const requireHaproxy = () => requireCommand('haproxy', 'haproxy', ['-v'])
export const requireKubectl = () => requireCommand('kubectl', 'kubernetes-client', ['version', '--client'])
export const requireSocat = () => requireCommand('socat', 'socat', ['-V'])

async function expectStatus(url: string, status: number, what: string): Promise<void> {
  let answer: HttpAnswer
  try {
    answer = await httpGet(url)
  } catch (error) {
    throw new Error(`${what} not reachable (${(error as Error).message}): ${HOW}`)
  }
  if (answer.status !== status)
    throw new Error(`${what} answered ${answer.status}, expected ${status}: ${HOW}`)
}
