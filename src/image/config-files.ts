/**
 * Files a gateway config makes the runtime read when it starts: the `sources` of the Lua modifiers,
 * client_tls's CA and client certificates, and the JWT validator's local CA and public key set. KrakenD reads them relative to its working
 * directory, which in its image is the config's own directory; a release reads them relative to
 * the config's directory and ships them beside the stamped config (the image's working directory,
 * the local node's release directory).
 */
import { readFileSync } from 'node:fs'
import { isAbsolute, posix, resolve } from 'node:path'
import { forEachNamespace, NAMESPACE_ALIASES } from '../config/gateway-namespaces.ts'
import { jsonFoldedKey } from '../config/json-keys.ts'
import type { KeyPath } from '../core/source-text.ts'
import { readWeakInput } from '../gateway/config/weak-input.ts'

export interface ConfigFile {
  /** Relative to the config's directory, normalised, with `/` separators. */
  path: string
  content: string
}

export interface ConfigFileProblem {
  path: KeyPath
  message: string
  hint: string
}

const LUA_NAMESPACES = new Set(['modifier/lua-endpoint', 'modifier/lua-proxy', 'modifier/lua-backend'])
/** Their jwk_local_ca is a CA file the JWKS download trusts. */
const JOSE_NAMESPACES = new Set(['auth/validator', 'auth/signer'])
/** The names the stamped config itself takes beside its files. */
const CONFIG_NAMES = new Set(['gateway.json', 'krakend.json'])

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

type Kind = 'lua' | 'certificate' | 'private key' | 'jwk set'

interface NamedFile {
  at: KeyPath
  name: string
  kind: Kind
}

/** Every file the config makes the runtime read at start: Lua sources, client_tls's certificates and keys, the JOSE local files. */
function namedFiles(config: unknown): NamedFile[] {
  const named: NamedFile[] = []
  forEachNamespace(config, (namespace, _level, path) => {
    const alias = Object.hasOwn(NAMESPACE_ALIASES, namespace) ? NAMESPACE_ALIASES[namespace] : undefined
    const options = valueAt(config, path)
    if (JOSE_NAMESPACES.has(alias ?? namespace) && isObject(options)) {
      // krakend-jose decodes its options with encoding/json: "JWK_Local_Path" is read too.
      const ca = jsonFoldedKey(options, 'jwk_local_ca')
      if (ca !== undefined && typeof options[ca] === 'string')
        named.push({ at: [...path, ca], name: options[ca], kind: 'certificate' })
      // The validator's local key set (public keys ship; a secret or private key never does); the
      // signer's is its private keys.
      const keys = jsonFoldedKey(options, 'jwk_local_path')
      if (keys !== undefined && typeof options[keys] === 'string')
        named.push({
          at: [...path, keys],
          name: options[keys],
          kind: (alias ?? namespace) === 'auth/signer' ? 'private key' : 'jwk set',
        })
    }
    if (!LUA_NAMESPACES.has(alias ?? namespace)) return
    const sources = isObject(options) && Array.isArray(options.sources) ? options.sources : []
    for (const [i, source] of sources.entries())
      if (typeof source === 'string') named.push({ at: [...path, 'sources', i], name: source, kind: 'lua' })
  })
  const tls = isObject(config) ? config.client_tls : undefined
  if (isObject(tls)) {
    for (const [i, ca] of (Array.isArray(tls.ca_certs) ? tls.ca_certs : []).entries())
      if (typeof ca === 'string')
        named.push({ at: ['client_tls', 'ca_certs', i], name: ca, kind: 'certificate' })
    for (const [i, pair] of (Array.isArray(tls.client_certs) ? tls.client_certs : []).entries()) {
      if (!isObject(pair)) continue
      const at: KeyPath = ['client_tls', 'client_certs', i]
      if (typeof pair.certificate === 'string')
        named.push({ at: [...at, 'certificate'], name: pair.certificate, kind: 'certificate' })
      if (typeof pair.private_key === 'string')
        named.push({ at: [...at, 'private_key'], name: pair.private_key, kind: 'private key' })
    }
  }
  return named
}

/**
 * Reads every file the config names that ships with it (each once, sorted by path), or says why
 * one cannot ship. Lua sources and relative certificate paths ship; an absolute certificate path
 * is read on the node (its base image or a volume), and a private key never ships (an image layer
 * or release directory is no place for it).
 */
export function readConfigFiles(
  config: unknown,
  baseDir: string,
): { files: ConfigFile[]; problems: ConfigFileProblem[] } {
  const files = new Map<string, string>()
  const problems: ConfigFileProblem[] = []
  // Service, endpoint and backend keys as KrakenD's decoder reads them ("Client_TLS" is client_tls).
  const weak = isObject(config) ? readWeakInput(config) : undefined
  for (const named of namedFiles(weak?.value ?? config)) {
    const { name, kind } = named
    const at = weak ? weak.written(named.at) : named.at
    const normal = posix.normalize(name.replaceAll('\\', '/'))
    if (kind !== 'lua' && isAbsolute(name)) continue
    if (kind === 'private key') {
      problems.push({
        path: at,
        message: `the private key "${name}" would be copied into the image (or the local release directory): gwdeploy never ships a private key`,
        hint: 'give an absolute path that exists on every node (in your base image or a mounted volume); the runtime reads it there at start',
      })
      continue
    }
    const what = kind === 'lua' ? 'Lua source' : kind === 'jwk set' ? 'key set' : 'certificate'
    if (isAbsolute(name) || normal === '..' || normal.startsWith('../') || CONFIG_NAMES.has(normal)) {
      problems.push({
        path: at,
        message: `the ${what} "${name}" cannot ship with the release: it must be a file inside the gateway config's directory, other than the config itself`,
        hint:
          kind === 'lua'
            ? "write the path relative to the config's directory (KrakenD's working directory in its image)"
            : "write the path relative to the config's directory, or give an absolute path that exists on every node",
      })
      continue
    }
    if (files.has(normal)) continue
    let content: string
    try {
      content = readFileSync(resolve(baseDir, normal), 'utf8')
    } catch (error) {
      problems.push({
        path: at,
        message: `cannot read the ${what} "${name}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        hint: `${kind === 'lua' ? 'sources' : 'relative paths'} are read relative to the gateway config's directory`,
      })
      continue
    }
    if (kind === 'certificate' && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(content)) {
      problems.push({
        path: at,
        message: `the certificate file "${name}" also holds a private key: gwdeploy never ships a private key`,
        hint: 'keep the key in a file of its own, on the nodes (client_certs[].private_key, an absolute path)',
      })
      continue
    }
    if (kind === 'jwk set') {
      const secret = secretKeyIn(content)
      if (secret) {
        problems.push({
          path: at,
          message: `the key set "${name}" holds ${secret}: gwdeploy never ships a secret or private key`,
          hint: 'put the key set on the nodes and give its absolute path (e.g. a fleet.env secret: /run/gwdeploy/env/NAME)',
        })
        continue
      }
    }
    if (kind === 'certificate' && !content.includes('-----BEGIN CERTIFICATE-----'))
      problems.push({
        path: at,
        message: `the certificate "${name}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
        hint: 'give certificates in PEM form',
      })
    files.set(normal, content)
  }
  const sorted = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return { files: sorted.map(([path, content]) => ({ path, content })), problems }
}

/** What in a JWK set must not ship: a symmetric key or a private one; undefined when only public keys. */
function secretKeyIn(content: string): string | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(content)
  } catch {
    return undefined // the runtime reports a key set it cannot read, with its own words
  }
  const keys = isObject(parsed) && Array.isArray(parsed.keys) ? parsed.keys : [parsed]
  for (const [i, key] of keys.entries()) {
    if (!isObject(key)) continue
    if (key.kty === 'oct' || key.k !== undefined) return `a symmetric (oct) key at keys[${i}]`
    if (key.d !== undefined) return `a private key at keys[${i}] ("d")`
  }
  return undefined
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let value = root
  for (const key of path) value = (value as Record<string | number, unknown> | undefined)?.[key]
  return value
}
