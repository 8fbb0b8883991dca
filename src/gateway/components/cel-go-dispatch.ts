/**
 * cel-go's run-time dispatch of a conversion whose overloads its check narrowed (cel-go-check.ts:
 * `int([resp_data.c[0u]][0])` keeps only `int(int)`, `uint(c ? 1 : resp_data.c[0u])` only
 * `uint(int)`): a value of another type finds no overload and fails the evaluation, as in
 * KrakenD ("no such overload: int(string)"), where cel-js, typing the argument dyn, converted it.
 */
import { celLibrary } from '../libraries.ts'
import { GO_NAMES } from './cel-go-overloads.ts'

/** Fails unless the value's type is one the checked overloads take. */
export function checkNarrowedConversion(call: [string, ...unknown[]], taken: string[], value: unknown): void {
  const type = runtimeType(value)
  if (taken.includes(type)) return
  const name = GO_NAMES[call[0]] ?? call[0]
  throw new Error(`no such overload: ${name}(${type})`)
}

function runtimeType(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return 'int'
    case 'number':
      return 'double'
    case 'string':
      return 'string'
    case 'boolean':
      return 'bool'
  }
  const { Duration, UnsignedInt } = celLibrary()
  if (value === null) return 'null_type'
  if (value instanceof UnsignedInt) return 'uint'
  if (value instanceof Uint8Array) return 'bytes'
  if (value instanceof Date) return 'google.protobuf.Timestamp'
  if (value instanceof Duration) return 'google.protobuf.Duration'
  return Array.isArray(value) || value instanceof Set ? 'list' : 'map'
}
