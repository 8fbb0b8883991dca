/**
 * How gwdeploy reaches one Docker host, as pure data (`dockerConnection`, golden-tested), and
 * the thin I/O that reads the key files and opens a dockerode client (`connect`).
 *
 * docker-modem fills every option we leave out from DOCKER_HOST / DOCKER_CERT_PATH /
 * SSH_AUTH_SOCK of the gwdeploy process (and lets those win over our sshOptions), so a host
 * from gwdeploy.yml could silently be swapped for the environment's. The options built here
 * therefore set every one of those keys explicitly, `undefined` included.
 */
import { readFile } from 'node:fs/promises'
import { homedir, userInfo } from 'node:os'
import { join } from 'node:path'
import type Dockerode from 'dockerode'
import { configError, isGwError, providerError } from '../../core/errors.ts'
import { compareApiVersions, MAX_API_VERSION } from '../../image/docker.ts'
import { type CallBounds, dockerCall } from './docker-calls.ts'

export interface DockerHostConfig {
  host: string
  publishAddress: string
  /** Absolute (the provider resolves it against gwdeploy.yml's directory). */
  tlsCertPath?: string | undefined
}

/** What the connection may take from the gwdeploy process (passed in, so the plan stays pure). */
export interface ConnectionEnvironment {
  /** SSH_AUTH_SOCK */
  sshAuthSock?: string | undefined
  homeDir: string
  /** The local user name, the default ssh user (like `ssh host`). */
  user: string
}

/** This process's SSH agent, home and user. */
export function processConnectionEnvironment(): ConnectionEnvironment {
  return {
    sshAuthSock: process.env.SSH_AUTH_SOCK || undefined,
    homeDir: homedir(),
    user: userInfo().username,
  }
}

/** Files to read at connect time, each with its name in the config for errors. */
interface KeyFile {
  path: string
  key: string
}

export type DockerConnection =
  | { kind: 'unix'; options: Dockerode.DockerOptions }
  | { kind: 'tcp'; options: Dockerode.DockerOptions; tls?: { ca: KeyFile; cert: KeyFile; key: KeyFile } }
  | {
      kind: 'ssh'
      options: Dockerode.DockerOptions
      /** No agent: the first of these that exists is the private key (unencrypted, like ssh's defaults). */
      privateKeyCandidates: string[]
    }

const DEFAULT_SSH_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa']

/** Every option docker-modem would otherwise default from the environment. */
const NOTHING_FROM_ENV = {
  socketPath: undefined,
  host: undefined,
  port: undefined,
  protocol: undefined,
  username: undefined,
  ca: undefined,
  cert: undefined,
  key: undefined,
  sshOptions: {},
} satisfies Dockerode.DockerOptions

/**
 * The connection for `provider.haproxy.dockerHosts[index]`: unix:///path, tcp://host[:port]
 * (TLS with tlsCertPath: ca.pem, cert.pem, key.pem like DOCKER_CERT_PATH; default port 2376
 * with TLS, 2375 without), ssh://[user@]host[:port] (default port 22, the local user; key from
 * the SSH agent when SSH_AUTH_SOCK is set, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa; the host
 * runs `docker system dial-stdio`, so it needs the docker CLI).
 */
export function dockerConnection(
  config: DockerHostConfig,
  index: number,
  env: ConnectionEnvironment,
): DockerConnection {
  const at = `provider.haproxy.dockerHosts[${index}]`
  let url: URL
  try {
    url = new URL(config.host)
  } catch {
    throw configError(`${at}.host: ${config.host} is not a URL`, {
      location: { path: `${at}.host` },
      hint: 'Use unix:///var/run/docker.sock, tcp://HOST:2376 (with tlsCertPath) or ssh://USER@HOST.',
    })
  }
  const protocol = url.protocol.replace(/:$/, '')
  if (config.tlsCertPath && protocol !== 'tcp')
    throw configError(`${at}.tlsCertPath is only for tcp:// hosts, not ${config.host}`, {
      location: { path: `${at}.tlsCertPath` },
    })
  if (protocol === 'unix') {
    if (!url.pathname || url.pathname === '/')
      throw configError(`${at}.host: ${config.host} names no socket`, { location: { path: `${at}.host` } })
    return { kind: 'unix', options: { ...NOTHING_FROM_ENV, socketPath: decodeURIComponent(url.pathname) } }
  }
  if (!url.hostname)
    throw configError(`${at}.host: ${config.host} names no host`, { location: { path: `${at}.host` } })
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (protocol === 'tcp') {
    const options = {
      ...NOTHING_FROM_ENV,
      host,
      port: Number(url.port || (config.tlsCertPath ? 2376 : 2375)),
      protocol: config.tlsCertPath ? ('https' as const) : ('http' as const),
    }
    if (!config.tlsCertPath) return { kind: 'tcp', options }
    const file = (name: string): KeyFile => ({
      path: join(config.tlsCertPath as string, name),
      key: `${at}.tlsCertPath`,
    })
    return { kind: 'tcp', options, tls: { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem') } }
  }
  if (protocol === 'ssh') {
    return {
      kind: 'ssh',
      options: {
        ...NOTHING_FROM_ENV,
        protocol: 'ssh',
        host,
        port: Number(url.port || 22),
        username: url.username ? decodeURIComponent(url.username) : env.user,
        sshOptions: env.sshAuthSock ? { agent: env.sshAuthSock } : {},
      },
      privateKeyCandidates: env.sshAuthSock
        ? []
        : DEFAULT_SSH_KEYS.map((name) => join(env.homeDir, '.ssh', name)),
    }
  }
  throw configError(`${at}.host: ${config.host} must start with unix://, tcp:// or ssh://`, {
    location: { path: `${at}.host` },
  })
}

/** The connection as plain JSON-able data: the options that are set, and which key files it reads. */
export function describeConnection(connection: DockerConnection): Record<string, unknown> {
  const set = Object.fromEntries(
    Object.entries(connection.options).filter(
      ([name, value]) => value !== undefined && !(name === 'sshOptions' && Object.keys(value).length === 0),
    ),
  )
  return {
    kind: connection.kind,
    options: set,
    ...(connection.kind === 'tcp' && connection.tls
      ? { tlsFiles: [connection.tls.ca.path, connection.tls.cert.path, connection.tls.key.path] }
      : {}),
    ...(connection.kind === 'ssh'
      ? connection.privateKeyCandidates.length
        ? { privateKey: `first of ${connection.privateKeyCandidates.join(', ')}` }
        : { privateKey: 'from the SSH agent' }
      : {}),
  }
}

/** The connection's dockerode options with the key files read (a missing one is a config error, exit 2). */
export async function dockerOptions(connection: DockerConnection): Promise<Dockerode.DockerOptions> {
  if (connection.kind === 'tcp' && connection.tls) {
    const { ca, cert, key } = connection.tls
    const [caPem, certPem, keyPem] = await Promise.all([ca, cert, key].map(readKeyFile))
    return { ...connection.options, ca: caPem, cert: certPem, key: keyPem }
  }
  if (connection.kind === 'ssh' && connection.privateKeyCandidates.length > 0) {
    for (const path of connection.privateKeyCandidates) {
      const privateKey = await readFile(path).catch(() => undefined)
      if (privateKey)
        return { ...connection.options, sshOptions: { ...connection.options.sshOptions, privateKey } }
    }
    throw configError(
      `no SSH key for ${connection.options.username}@${connection.options.host}: SSH_AUTH_SOCK is not set and none of ${connection.privateKeyCandidates.join(', ')} exists`,
      {
        hint: 'Start an SSH agent with the key loaded (ssh-add), or put an unencrypted key at ~/.ssh/id_ed25519.',
      },
    )
  }
  return connection.options
}

async function readKeyFile(file: KeyFile): Promise<Buffer> {
  try {
    return await readFile(file.path)
  } catch (error) {
    throw configError(
      `${file.key}: cannot read ${file.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      {
        location: { path: file.key },
        hint: 'tlsCertPath is a directory holding ca.pem, cert.pem and key.pem (like DOCKER_CERT_PATH), relative to gwdeploy.yml or absolute.',
      },
    )
  }
}

/**
 * A dockerode client for `provider.haproxy.dockerHosts[index]`, with the API version negotiated
 * (Debian's engine speaks 1.41). The first request is bounded like every other (docker-calls.ts);
 * over ssh, docker-modem never settles a request whose SSH connection closes before it is ready
 * (not even when aborted), so the bound races it.
 */
export async function connect(
  config: DockerHostConfig,
  index: number,
  env: ConnectionEnvironment,
  bounds: CallBounds,
): Promise<Dockerode> {
  const { default: Docker } = await import('dockerode')
  const options = await dockerOptions(dockerConnection(config, index, env))
  let version: Dockerode.DockerVersion
  try {
    // dockerode passes abortSignal on (its typings leave it out of version()'s options).
    const client = new Docker(options) as unknown as {
      version(options: { abortSignal: AbortSignal }): Promise<Dockerode.DockerVersion>
    }
    version = await dockerCall(config, 'GET /version', bounds, (abortSignal) =>
      client.version({ abortSignal }),
    )
  } catch (error) {
    if (bounds.signal?.aborted) throw bounds.signal.reason
    // The bound's own error names no host kind: the hint below says what to check for this one.
    const cause = isGwError(error) ? new Error(`no answer within ${bounds.timeoutMs / 1000} s`) : error
    throw dockerHostError(config, cause)
  }
  const api =
    compareApiVersions(version.ApiVersion, MAX_API_VERSION) < 0 ? version.ApiVersion : MAX_API_VERSION
  return new Docker({ ...options, version: `v${api}` })
}

/** The Docker host did not answer (or refused us): exit 6, with what to check for its kind of address. */
export function dockerHostError(config: DockerHostConfig, error: unknown) {
  const message = (error as Error).message
  const tlsProblem =
    config.tlsCertPath !== undefined &&
    /certificate|ssl|tls|self.signed|unable to verify|alert|socket hang up|ECONNRESET/i.test(
      `${message} ${(error as NodeJS.ErrnoException).code ?? ''}`,
    )
  const ssh = config.host.startsWith('ssh://') ? new URL(config.host) : undefined
  return providerError(`haproxy: the Docker host ${config.host} is not reachable: ${message}`, {
    hint: tlsProblem
      ? `The TLS handshake failed: the certificates in ${config.tlsCertPath} must be a client certificate (cert.pem, key.pem) that host's dockerd --tlscacert trusts, and the CA (ca.pem) that signed its server certificate.`
      : ssh
        ? `Check that \`ssh ${ssh.port ? `-p ${ssh.port} ` : ''}${ssh.username ? `${ssh.username}@` : ''}${ssh.hostname} docker version\` works from here: the key in the SSH agent (or ~/.ssh), and the docker CLI on that host.`
        : 'Start dockerd there or fix provider.haproxy.dockerHosts[].host (unix://, tcp:// with tlsCertPath, ssh://).',
  })
}
