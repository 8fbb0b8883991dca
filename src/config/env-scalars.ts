import type { z } from 'zod'
import { formatKeyPath, type KeyPath } from '../core/document.ts'

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/

/**
 * A `${VAR}` always yields text, yet `fleet.size: ${FLEET_SIZE:-2}` means a number (as in docker
 * compose). Where the schema refused a string from a `${VAR}` because it wants a number or
 * true/false, and the text reads as one, the value becomes that. Returns whether anything changed.
 */
export function coerceEnvScalars(
  value: unknown,
  issues: readonly z.core.$ZodIssue[],
  substituted: ReadonlyArray<{ path: KeyPath }>,
): boolean {
  const fromEnv = new Set(substituted.map(({ path }) => formatKeyPath(path)))
  let changed = false
  for (const issue of issues) {
    if (issue.code !== 'invalid_type') continue
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
    if (!fromEnv.has(formatKeyPath(path))) continue
    const parent = parentOf(value, path)
    const key = path.at(-1)
    if (parent === undefined || key === undefined) continue
    const text = parent[key]
    if (typeof text !== 'string') continue
    const read = readScalar(text.trim(), issue.expected)
    if (read === undefined) continue
    parent[key] = read
    changed = true
  }
  return changed
}

function readScalar(text: string, expected: string): number | boolean | undefined {
  if ((expected === 'number' || expected === 'int') && NUMBER.test(text)) return Number(text)
  if (expected === 'boolean' && (text === 'true' || text === 'false')) return text === 'true'
  return undefined
}

function parentOf(value: unknown, path: KeyPath): Record<string | number, unknown> | undefined {
  let node = value
  for (const part of path.slice(0, -1)) node = (node as Record<string | number, unknown> | undefined)?.[part]
  return node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>) : undefined
}
