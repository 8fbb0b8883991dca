/**
 * Just enough of the registry HTTP API (distribution v2) to answer "does repository:tag exist,
 * with which digest and which labels?" without pulling it. Basic and Bearer token auth.
 * Loopback registries are spoken to over plain HTTP, like the Docker engine does by default.
 */
import { providerError } from '../core/errors.ts'
import type { RegistryAuth } from './auth.ts'
import { isLoopbackRegistry, type RepositoryName } from './reference.ts'

export interface RemoteImage {
  /** Manifest digest the tag points to (sha256:...). */
  digest: string
  labels: Record<string, string>
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ')

interface Manifest {
  mediaType?: string
  config?: { digest: string }
  manifests?: Array<{ digest: string; platform?: { os?: string; architecture?: string } }>
}

export class RegistryClient {
  readonly name: RepositoryName
  readonly base: string
  #auth: RegistryAuth | undefined
  #token: string | undefined
  #timeoutMs: number

  constructor(name: RepositoryName, auth: RegistryAuth | undefined, options: { timeoutMs?: number } = {}) {
    this.name = name
    this.#auth = auth
    const host = name.registry === 'docker.io' ? 'registry-1.docker.io' : name.registry
    this.base = `${isLoopbackRegistry(host) ? 'http' : 'https'}://${host}`
    this.#timeoutMs = options.timeoutMs ?? 15_000
  }

  /** The image a tag points to, or undefined when the tag (or the repository) does not exist. */
  async lookup(tag: string): Promise<RemoteImage | undefined> {
    const res = await this.#get(`/v2/${this.name.path}/manifests/${tag}`, MANIFEST_TYPES)
    if (res.status === 404) return undefined
    await this.#expectOk(res, `manifest ${this.name.repository}:${tag}`)
    const digest = res.headers.get('docker-content-digest') ?? ''
    let manifest = (await res.json()) as Manifest
    if (manifest.manifests) {
      const pick =
        manifest.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ??
        manifest.manifests[0]
      if (!pick) return { digest, labels: {} }
      const inner = await this.#get(`/v2/${this.name.path}/manifests/${pick.digest}`, MANIFEST_TYPES)
      await this.#expectOk(inner, `manifest ${pick.digest}`)
      manifest = (await inner.json()) as Manifest
    }
    if (!manifest.config) return { digest, labels: {} }
    const blob = await this.#get(`/v2/${this.name.path}/blobs/${manifest.config.digest}`, '*/*')
    await this.#expectOk(blob, `image config ${manifest.config.digest}`)
    const config = (await blob.json()) as { config?: { Labels?: Record<string, string> | null } }
    return { digest, labels: config.config?.Labels ?? {} }
  }

  async #get(path: string, accept: string): Promise<Response> {
    const url = `${this.base}${path}`
    const headers: Record<string, string> = { accept }
    if (this.#token) headers.authorization = this.#token
    let res = await this.#fetch(url, headers)
    if (res.status === 401) {
      const challenge = res.headers.get('www-authenticate') ?? ''
      await res.body?.cancel()
      const authorization = await this.#authorize(challenge)
      if (authorization) {
        this.#token = authorization
        res = await this.#fetch(url, { ...headers, authorization })
      } else {
        res = new Response(null, { status: 401 })
      }
    }
    return res
  }

  async #fetch(url: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(this.#timeoutMs) })
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause
      throw providerError(
        `registry ${this.name.registry} is not reachable: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
        { hint: `Check that ${this.base} is up and reachable from this machine.` },
      )
    }
  }

  async #authorize(challenge: string): Promise<string | undefined> {
    const auth = this.#auth
    if (!auth) return undefined
    if (/^basic/i.test(challenge)) {
      if (auth.username === undefined || auth.password === undefined) return undefined
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
    }
    if (/^bearer/i.test(challenge)) {
      const params = Object.fromEntries(
        [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]?.toLowerCase() ?? '', m[2] ?? '']),
      )
      if (!params.realm) return undefined
      const url = new URL(params.realm)
      if (params.service) url.searchParams.set('service', params.service)
      url.searchParams.set('scope', params.scope ?? `repository:${this.name.path}:pull`)
      const headers: Record<string, string> = {}
      if (auth.username !== undefined && auth.password !== undefined) {
        headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
      }
      const res = await this.#fetch(url.toString(), headers)
      if (!res.ok) {
        await res.body?.cancel()
        return undefined
      }
      const body = (await res.json()) as { token?: string; access_token?: string }
      const token = body.token ?? body.access_token
      return token ? `Bearer ${token}` : undefined
    }
    return undefined
  }

  async #expectOk(res: Response, what: string): Promise<void> {
    if (res.ok) return
    await res.body?.cancel()
    if (res.status === 401 || res.status === 403) {
      throw providerError(
        this.#auth
          ? `registry ${this.name.registry} refused the credentials from ${this.#auth.source} (HTTP ${res.status}) reading ${what}`
          : `registry ${this.name.registry} requires authentication (HTTP ${res.status}) reading ${what}`,
        {
          hint: this.#auth
            ? 'Check the user and password (they are not shown here).'
            : `Run \`docker login ${this.name.registry}\` or set GWDEPLOY_REGISTRY_USER and GWDEPLOY_REGISTRY_PASSWORD.`,
        },
      )
    }
    throw providerError(`registry ${this.name.registry} answered HTTP ${res.status} reading ${what}`)
  }
}
