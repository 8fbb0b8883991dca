/** santhosh-tekuri/jsonschema v6's string and number keywords, worded as its English printer words them. */
import type { GoNumber } from '../go-json.ts'
import { compareExact, isExactMultiple } from './exact-decimal.ts'
import { compileGoRegExp } from './go-regexp.ts'
import { leaf, type SchemaError } from './json-schema-error-tree.ts'
import { printFloat, printInt, quote } from './json-schema-wording.ts'

const runeCount = (s: string) => [...s].length

export function stringErrors(
  s: Record<string, unknown>,
  str: string,
  at: string[],
  errors: SchemaError[],
): void {
  if (typeof s.minLength === 'number' && runeCount(str) < s.minLength)
    errors.push(leaf(at, `minLength: got ${printInt(runeCount(str))}, want ${printInt(s.minLength)}`))
  if (typeof s.maxLength === 'number' && runeCount(str) > s.maxLength)
    errors.push(leaf(at, `maxLength: got ${printInt(runeCount(str))}, want ${printInt(s.maxLength)}`))
  if (typeof s.pattern === 'string' && !compileGoRegExp(s.pattern).test(str))
    errors.push(leaf(at, `${quote(str)} does not match pattern ${quote(s.pattern)}`))
}

export function numberErrors(
  s: Record<string, unknown>,
  n: number | GoNumber,
  draft: number,
  at: string[],
  errors: SchemaError[],
): void {
  // v6 prints big.Rat values through Float64().
  const got = printFloat(Number(n))
  const bound = (keyword: string, want: unknown, fails: (order: number) => boolean) => {
    if (typeof want === 'number' && fails(compareExact(n, want)))
      errors.push(leaf(at, `${keyword}: got ${got}, want ${printFloat(want)}`))
  }
  // Draft-04's boolean exclusiveMinimum/Maximum turn minimum/maximum exclusive.
  const exclusiveMin =
    draft === 4 ? (s.exclusiveMinimum === true ? s.minimum : undefined) : s.exclusiveMinimum
  const exclusiveMax =
    draft === 4 ? (s.exclusiveMaximum === true ? s.maximum : undefined) : s.exclusiveMaximum
  if (!(draft === 4 && s.exclusiveMinimum === true)) bound('minimum', s.minimum, (order) => order < 0)
  if (!(draft === 4 && s.exclusiveMaximum === true)) bound('maximum', s.maximum, (order) => order > 0)
  bound('exclusiveMinimum', exclusiveMin, (order) => order <= 0)
  bound('exclusiveMaximum', exclusiveMax, (order) => order >= 0)
  if (typeof s.multipleOf === 'number' && !isExactMultiple(n, s.multipleOf))
    errors.push(leaf(at, `multipleOf: got ${got}, want ${printFloat(s.multipleOf)}`))
}
