import type { KeyPath } from '../core/document.ts'
import { redactUrl } from './notify.ts'

const SECRET_NAME = /pass(word)?|secret|token|credential|private|api[-_]?key|auth|webhook|cookie|signature/i
/** Environment variables whose values are treated as secrets wherever they are used. */
const SECRET_VARIABLE =
  /pass(word)?|secret|token|credential|private|key|auth|webhook|cookie|signature|dsn|session/i
export const REDACTED = '[redacted]'

/**
 * Hides secrets in a config before it is shown: values under secret-looking keys, and values
 * that came from secret-looking environment variables.
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
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...at, index], key))
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, item]) => [k, walk(item, [...at, k], k)]))
    }
    return node
  }
  return walk(value, [])
}
