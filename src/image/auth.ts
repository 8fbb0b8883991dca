/**
 * Registry credentials: GWDEPLOY_REGISTRY_USER/GWDEPLOY_REGISTRY_PASSWORD, else the user's Docker
 * config (credHelpers, auths, credsStore via docker-credential-* programs). Never gwdeploy.yml.
 * Credentials are returned to the caller only; nothing here prints or logs them.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { providerError } from '../core/errors.ts'

export interface RegistryAuth {
  username?: string
  password?: string
  identitytoken?: string
  serveraddress: string
  /** Where it came from, for messages ("GWDEPLOY_REGISTRY_USER", "docker config auths", ...). Not secret. */
  source: string
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>
  credHelpers?: Record<string, string>
  credsStore?: string
}

const HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io']

function candidateKeys(registry: string): string[] {
  if (registry === 'docker.io') return HUB_KEYS
  return [
    registry,
    `https://${registry}`,
    `http://${registry}`,
    `https://${registry}/v1/`,
    `https://${registry}/v2/`,
  ]
}

function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json')
}

function runHelper(
  helper: string,
  server: string,
  env: NodeJS.ProcessEnv,
): Promise<{ Username?: string; Secret?: string }> {
  const program = `docker-credential-${helper}`
  return new Promise((resolve, reject) => {
    const child = execFile(program, ['get'], { env, timeout: 15_000 }, (error, stdout) => {
      if (error) {
        // The helper's stderr may echo the server name but never the secret; keep only the code.
        const notFound = /credentials not found/i.test(stdout)
        if (notFound) resolve({})
        else
          reject(
            providerError(
              `${program} failed for ${server}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
            ),
          )
        return
      }
      try {
        resolve(JSON.parse(stdout) as { Username?: string; Secret?: string })
      } catch {
        reject(providerError(`${program} printed something that is not JSON for ${server}`))
      }
    })
    child.stdin?.end(server)
  })
}

async function fromHelper(helper: string, registry: string, source: string, env: NodeJS.ProcessEnv) {
  for (const key of candidateKeys(registry)) {
    const found = await runHelper(helper, key, env)
    if (found.Secret) {
      return found.Username === '<token>'
        ? { identitytoken: found.Secret, serveraddress: key, source }
        : { username: found.Username ?? '', password: found.Secret, serveraddress: key, source }
    }
  }
  return undefined
}

/** Credentials for `registry` (host[:port]), or undefined when none are configured. */
export async function resolveRegistryAuth(
  registry: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RegistryAuth | undefined> {
  const user = env.GWDEPLOY_REGISTRY_USER
  const password = env.GWDEPLOY_REGISTRY_PASSWORD
  if (user || password) {
    if (!user || !password) {
      throw providerError('GWDEPLOY_REGISTRY_USER and GWDEPLOY_REGISTRY_PASSWORD must be set together')
    }
    return { username: user, password, serveraddress: registry, source: 'GWDEPLOY_REGISTRY_USER/PASSWORD' }
  }
  const file = dockerConfigPath(env)
  let config: DockerConfig
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as DockerConfig
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw providerError(`cannot read the Docker config ${file}: ${(error as Error).message.split('\n')[0]}`)
  }
  const keys = candidateKeys(registry)
  for (const key of keys) {
    const helper = config.credHelpers?.[key]
    if (helper) return fromHelper(helper, registry, `docker config credHelpers (${helper})`, env)
  }
  for (const key of keys) {
    const entry = config.auths?.[key]
    if (!entry) continue
    if (entry.identitytoken)
      return { identitytoken: entry.identitytoken, serveraddress: key, source: `docker config auths` }
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon > 0) {
        return {
          username: decoded.slice(0, colon),
          password: decoded.slice(colon + 1),
          serveraddress: key,
          source: 'docker config auths',
        }
      }
    }
    if (entry.username && entry.password) {
      return {
        username: entry.username,
        password: entry.password,
        serveraddress: key,
        source: 'docker config auths',
      }
    }
  }
  if (config.credsStore)
    return fromHelper(config.credsStore, registry, `docker config credsStore (${config.credsStore})`, env)
  return undefined
}

/** The X-Registry-Auth payload the engine expects (no `source`). */
export function engineAuthConfig(auth: RegistryAuth): Record<string, string> {
  const out: Record<string, string> = { serveraddress: auth.serveraddress }
  if (auth.username !== undefined) out.username = auth.username
  if (auth.password !== undefined) out.password = auth.password
  if (auth.identitytoken !== undefined) out.identitytoken = auth.identitytoken
  return out
}
