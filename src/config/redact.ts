import type { KeyPath } from '../core/document.ts'
import { hideCredentials, isCredentialName } from '../gateway/config/url-credentials.ts'
import { redactUrl } from './notify.ts'

const SECRET_NAME = /pass(word)?|secret|token|credential|private|api[-_]?key|auth|webhook|cookie|signature/i
/** Environment variables whose values are treated as secrets wherever they are used. */
const SECRET_VARIABLE =
  /pass(word)?|secret|token|credential|private|key|auth|webhook|cookie|signature|dsn|session/i
export const REDACTED = '[redacted]'

/**
 * A `{"name": ..., "value": ...}` pair whose value is a credential: a modifier/martian
 * header.Modifier (header.Append, querystring.Modifier, cookie.Modifier, a filter) setting or
 * matching `Authorization`, `Cookie`, `X-Api-Key` and the like.
 */
export const isCredentialPair = (node: unknown): boolean =>
  node !== null &&
  typeof node === 'object' &&
  !Array.isArray(node) &&
  typeof (node as Record<string, unknown>).name === 'string' &&
  isCredentialName((node as Record<string, unknown>).name as string) &&
  (node as Record<string, unknown>).value !== undefined

/** Whether an environment variable's name looks like it holds a secret (as `config show` treats it). */
export const isSecretVariable = (name: string): boolean => SECRET_VARIABLE.test(name)

/**
 * Hides secrets in a config before it is shown: values under secret-looking keys, the `value`
 * of a name/value pair naming a credential header (see isCredentialPair), the password in URLs
 * (`https://user:***@host`), and values that came from secret-looking environment variables.
 */
export function redact(value: unknown, fromEnv: Array<{ path: KeyPath; variables: string[] }> = []): unknown {
  const secretPaths = new Set(
    fromEnv
      .filter((entry) => entry.variables.some((v) => SECRET_VARIABLE.test(v)))
      .map((entry) => entry.path.join('\u0000')),
  )
  const walk = (node: unknown, at: Array<string | number>, key?: string): unknown => {
    if (typeof node === 'string' && at[0] === 'notify' && key === 'url') return redactUrl(node)
    if (
      typeof node === 'string' &&
      ((key !== undefined && SECRET_NAME.test(key)) || secretPaths.has(at.join('\u0000')))
    ) {
      return REDACTED
    }
    // A URL's password (an e-mail address or other text with "@" is left alone).
    if (typeof node === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(node)) return hideCredentials(node)
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...at, index], key))
    if (node !== null && typeof node === 'object') {
      const credential = isCredentialPair(node)
      return Object.fromEntries(
        Object.entries(node).map(([k, item]) => [
          k,
          credential && k === 'value' && item !== '' ? REDACTED : walk(item, [...at, k], k),
        ]),
      )
    }
    return node
  }
  return walk(value, [])
}
