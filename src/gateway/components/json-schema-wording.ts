/**
 * How santhosh-tekuri/jsonschema v6 words values in its messages: instance locations as JSON
 * pointers, strings single-quoted, schema values as fmt's %v prints them, and numbers through its
 * English printer, golang.org/x/text v0.37 (the one KrakenD CE 2.13.8 links): `1,234`, `1×10⁰⁶`.
 */
import { goFormatFloat } from '../go-float.ts'
import { goJson } from '../go-json.ts'
import { goQuote } from '../go-quote.ts'

export const pointer = (tokens: string[]) =>
  tokens.map((t) => `/${t.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')

/**
 * v6's quote(): Go's %q with `\"` made `"` and `'` escaped, in single quotes. The replacement runs
 * over the quoted text with its double quotes, so a backslash before the closing one loses its
 * escape: `a\` is `'a\'` (strconv.QuoteRune, as goSingleQuote, would write `'\\'` for one).
 */
export function quote(text: string): string {
  const quoted = goQuote(text).replaceAll('\\"', '"').replaceAll("'", "\\'")
  return `'${quoted.slice(1, -1)}'`
}

/** fmt's %v of a primitive JSON value from the schema (v6's display()): numbers as Go's JSON wrote them. */
export function displayValue(value: unknown): string {
  if (typeof value === 'string') return quote(value)
  if (value === null) return '<nil>'
  if (typeof value === 'object') return 'value'
  return typeof value === 'number' ? goJson(value) : String(value)
}

export const joinQuoted = (names: string[]) => names.map(quote).join(', ')

export function enumText(values: unknown[]): string {
  if (values.some((item) => typeof item === 'object' && item !== null)) return "'enum' failed"
  if (values.length === 1) return `value must be ${displayValue(values[0])}`
  return `value must be one of ${values.map(displayValue).join(', ')}`
}

/** golang.org/x/text's English %d: digits grouped by three. */
export function printInt(n: number): string {
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return n < 0 ? `-${digits}` : digits
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹'

/** golang.org/x/text's English %v of a float64: %g's shortest digits, grouped, or `m×10ⁿⁿ`. */
export function printFloat(n: number): string {
  if (n === 0) return '0'
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '-∞'
  const text = goFormatFloat(n)
  const e = text.indexOf('e')
  if (e !== -1) {
    const superscript = [...text.slice(e + 2)].map((d) => SUPERSCRIPT[Number(d)]).join('')
    return `${text.slice(0, e)}×10${text[e + 1] === '-' ? '⁻' : ''}${superscript}`
  }
  const [whole, fraction] = text.split('.') as [string, string | undefined]
  const grouped = printInt(Number(whole))
  const sign = n < 0 && !grouped.startsWith('-') ? '-' : ''
  return `${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`}`
}
