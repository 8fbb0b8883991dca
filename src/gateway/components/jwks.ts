/**
 * A JSON Web Key Set as krakend-jose uses it: read once from `jwk_local_path`, or fetched from
 * `jwk_url` and kept for `cacheMs` (0: fetched for every lookup, as KrakenD without `cache`), then
 * fetched again when a token names a `kid` it does not have (at most once per `unknownKidMs` per kid
 * when set). Keys are matched by `kid` exactly and imported for `alg`.
 */
import { readFileSync } from 'node:fs'
import type { JWK } from 'jose'
import { configError } from '../../core/errors.ts'
import { joseLibrary } from '../libraries.ts'

export interface KeySource {
  alg: string
  jwkUrl: string | undefined
  jwkLocalPath: string | undefined
  cacheMs: number
  unknownKidMs: number
}

export type JoseKey = Awaited<ReturnType<typeof import('jose').importJWK>>

/** The JWKS, fetched or read once, refreshed when stale or when a token names an unknown kid. */
export class KeySet {
  private readonly cfg: KeySource
  private keys: JWK[] = []
  private fetchedAt = -Infinity
  private pending: Promise<void> | undefined
  private readonly imported = new Map<string, JoseKey>()
  private readonly missing = new Map<string, number>()

  /** Reads jwk_local_path now: a missing or bad file is a config error (exit 2) naming `where`. */
  constructor(cfg: KeySource, where: string) {
    this.cfg = cfg
    if (cfg.jwkLocalPath) {
      try {
        this.keys = parseJwks(readFileSync(cfg.jwkLocalPath, 'utf8'))
        this.fetchedAt = Infinity
      } catch (error) {
        throw configError(
          `${where}.jwk_local_path: cannot read the JWKS ${cfg.jwkLocalPath}: ${(error as Error).message}`,
          {
            hint: 'point jwk_local_path at a JSON Web Key Set file ({"keys": [...]}) readable by the gateway',
          },
        )
      }
    }
  }

  async get(kid: string): Promise<JoseKey | undefined> {
    if (this.cfg.jwkUrl && !this.cfg.jwkLocalPath && Date.now() - this.fetchedAt >= this.cfg.cacheMs)
      await this.refresh()
    let jwk = this.find(kid)
    if (!jwk && this.cfg.jwkUrl && !this.cfg.jwkLocalPath) {
      const until = this.missing.get(kid)
      if (until === undefined || until <= Date.now()) {
        await this.refresh()
        jwk = this.find(kid)
        if (!jwk && this.cfg.unknownKidMs > 0) this.missing.set(kid, Date.now() + this.cfg.unknownKidMs)
      }
    }
    if (!jwk) return undefined
    let key = this.imported.get(kid)
    if (!key) {
      key = await joseLibrary().importJWK(jwk, this.cfg.alg)
      this.imported.set(kid, key)
    }
    return key
  }

  private find(kid: string): JWK | undefined {
    return this.keys.find((k) => (k.kid ?? '') === kid)
  }

  private refresh(): Promise<void> {
    this.pending ??= (async () => {
      try {
        const response = await fetch(this.cfg.jwkUrl as string, { signal: AbortSignal.timeout(5000) })
        if (!response.ok) throw new Error(`JWKS answered ${response.status}`)
        const keys = parseJwks(await response.text())
        this.keys = keys
        this.imported.clear()
        this.fetchedAt = Date.now()
      } finally {
        this.pending = undefined
      }
    })()
    return this.pending
  }
}

function parseJwks(text: string): JWK[] {
  const value = JSON.parse(text) as { keys?: unknown }
  if (!Array.isArray(value.keys)) throw new Error('not a JWK set: no "keys" list')
  return value.keys as JWK[]
}
