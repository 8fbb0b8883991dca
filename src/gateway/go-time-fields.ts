// The fields of a time text as Go's time.Parse reads them (time/format.go): getnum's one or two
// digits, a zone abbreviation (parseTimeZone) and a numeric zone offset in a layout's form.

export const isDigitAt = (s: string, i: number) =>
  i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57
export const TZ_FORMS = ['070000', '07:00:00', '0700', '07:00', '07'] as const

/** getnum: one or two digits (two when fixed). */
export function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigitAt(s, 0)) return undefined
  if (!isDigitAt(s, 1)) return fixed ? undefined : [s.charCodeAt(0) - 48, s.slice(1)]
  return [(s.charCodeAt(0) - 48) * 10 + s.charCodeAt(1) - 48, s.slice(2)]
}

/** parseSignedOffset: ±1..23 hours, the length read (0 when none). */
function signedOffsetLength(value: string): number {
  if (value[0] !== '+' && value[0] !== '-') return 0
  const digits = /^\d+/.exec(value.slice(1))?.[0]
  if (digits === undefined || Number(digits) > 23) return 0
  return 1 + digits.length
}

/** parseTimeZone: the length of a zone abbreviation at the start of the value, or 0. */
export function timeZoneLength(value: string): number {
  if (value.length < 3) return 0
  if (value.startsWith('ChST') || value.startsWith('MeST')) return 4
  if (value.startsWith('GMT')) return 3 + (value.length > 3 ? signedOffsetLength(value.slice(3)) : 0)
  if (value[0] === '+' || value[0] === '-') return signedOffsetLength(value)
  let upper = 0
  while (upper < 6 && upper < value.length && /[A-Z]/.test(value[upper] ?? '')) upper++
  if (upper === 5) return value[4] === 'T' ? 5 : 0
  if (upper === 4) return value[3] === 'T' || value.startsWith('WITA') ? 4 : 0
  return upper === 3 ? 3 : 0
}

/** A numeric zone offset in the layout's form: seconds east and the rest, or undefined. */
export function readOffset(value: string, form: (typeof TZ_FORMS)[number]): [number, string] | undefined {
  let parts: string[]
  let length: number
  if (form === '07:00') {
    if (value.length < 6 || value[3] !== ':') return undefined
    parts = [value.slice(1, 3), value.slice(4, 6), '00']
    length = 6
  } else if (form === '07') {
    if (value.length < 3) return undefined
    parts = [value.slice(1, 3), '00', '00']
    length = 3
  } else if (form === '07:00:00') {
    if (value.length < 9 || value[3] !== ':' || value[6] !== ':') return undefined
    parts = [value.slice(1, 3), value.slice(4, 6), value.slice(7, 9)]
    length = 9
  } else if (form === '070000') {
    if (value.length < 7) return undefined
    parts = [value.slice(1, 3), value.slice(3, 5), value.slice(5, 7)]
    length = 7
  } else {
    if (value.length < 5) return undefined
    parts = [value.slice(1, 3), value.slice(3, 5), '00']
    length = 5
  }
  const [h, m, s] = parts.map((p) => getnum(p, true)?.[0])
  if (h === undefined || m === undefined || s === undefined) return undefined
  if (h > 24 || m > 60 || s > 60) return undefined
  const seconds = (h * 60 + m) * 60 + s
  if (value[0] === '+') return [seconds, value.slice(length)]
  if (value[0] === '-') return [-seconds, value.slice(length)]
  return undefined
}
