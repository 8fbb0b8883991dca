/**
 * Go's fmt of a float64 for %e, %E, %f, %F, %g and %G (gopher-lua's string.format is fmt.Sprintf):
 * digits rounded half to even on the number's exact binary value (`%.0f` of 0.5 is `0`, of 2.5 `2`),
 * an exponent of at least two digits (`1.234568e+04`), `%g` without a precision the shortest digits
 * with `%e` from an exponent of 6 on (`1e+06`), `+Inf`, `-Inf`, `NaN`, and fmt's flags
 * (`-`, `+`, ` `, `0`) and width.
 */

/** The exact decimal digits of |x| (finite, non-zero): x = 0.digits × 10^point. */
function exactDigits(x: number): { digits: string; point: number } {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, Math.abs(x))
  const bits = view.getBigUint64(0)
  const biased = Number((bits >> 52n) & 0x7ffn)
  let mantissa = bits & 0xfffffffffffffn
  if (biased !== 0) mantissa |= 1n << 52n
  const exponent = (biased === 0 ? 1 : biased) - 1075
  let text: string
  let fraction = 0
  if (exponent >= 0) text = (mantissa << BigInt(exponent)).toString()
  else {
    text = (mantissa * 5n ** BigInt(-exponent)).toString()
    fraction = -exponent
  }
  const point = text.length - fraction
  const trimmed = text.replace(/0+$/, '')
  const lead = trimmed.length - trimmed.replace(/^0+/, '').length
  return { digits: trimmed.slice(lead), point: point - lead }
}

/** `digits` (0.digits × 10^point) rounded half to even to `keep` digits (trailing zeros trimmed). */
function roundDigits(digits: string, point: number, keep: number): { digits: string; point: number } {
  if (keep < 0) return { digits: '', point }
  if (digits.length <= keep) return { digits, point }
  const next = digits.charCodeAt(keep) - 48
  const tail = digits.length > keep + 1
  const last = keep > 0 ? digits.charCodeAt(keep - 1) - 48 : 0
  const up = next > 5 || (next === 5 && (tail || last % 2 === 1))
  let kept = digits.slice(0, keep)
  if (up) {
    let i = kept.length - 1
    while (i >= 0 && kept[i] === '9') i -= 1
    if (i < 0) return { digits: '1', point: point + 1 }
    kept = kept.slice(0, i) + String.fromCharCode(kept.charCodeAt(i) + 1)
  }
  return { digits: kept.replace(/0+$/, ''), point }
}

const digitAt = (digits: string, i: number) => (i >= 0 && i < digits.length ? (digits[i] as string) : '0')

function formatE(digits: string, point: number, prec: number, e: string): string {
  let out = digitAt(digits, 0)
  if (prec > 0) {
    out += '.'
    for (let i = 1; i <= prec; i += 1) out += digitAt(digits, i)
  }
  const exp = digits === '' ? 0 : point - 1
  const abs = Math.abs(exp)
  return `${out}${e}${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`
}

function formatF(digits: string, point: number, prec: number): string {
  let out = ''
  if (point <= 0) out = '0'
  else for (let i = 0; i < point; i += 1) out += digitAt(digits, i)
  if (prec > 0) {
    out += '.'
    for (let i = 0; i < prec; i += 1) out += digitAt(digits, point + i)
  }
  return out
}

/** strconv.FormatFloat(|x|, verb, prec, 64) for a finite x (no sign). */
function strconvFloat(x: number, verb: string, prec: number | undefined): string {
  const lower = verb.toLowerCase()
  const e = verb === 'E' || verb === 'G' ? 'E' : 'e'
  const exact = x === 0 ? { digits: '', point: 1 } : exactDigits(x)
  if (lower === 'e') {
    const p = prec ?? 6
    const r = roundDigits(exact.digits, exact.point, p + 1)
    return formatE(r.digits, r.point, p, e)
  }
  if (lower === 'f') {
    const p = prec ?? 6
    // toFixed rounds the exact value too, half away from zero: it differs from Go only on an exact
    // tie, which shows as a fraction of exactly .5 once scaled (anything near is done exactly below).
    const scaled = x * 10 ** p
    if (x < 1e21 && p <= 100 && scaled < 2 ** 52 && scaled % 1 !== 0.5) return x.toFixed(p)
    const r = roundDigits(exact.digits, exact.point, exact.point + p)
    return formatF(r.digits, r.point, p)
  }
  // %g
  let digs: { digits: string; point: number }
  let p: number
  let eprec: number
  if (prec === undefined) {
    if (x === 0) digs = { digits: '', point: 1 }
    else {
      const [mantissa = '', exponent = '0'] = Math.abs(x).toExponential().split('e')
      digs = { digits: mantissa.replace('.', '').replace(/0+$/, ''), point: Number(exponent) + 1 }
    }
    p = digs.digits.length
    eprec = 6
  } else {
    p = prec === 0 ? 1 : prec
    digs = roundDigits(exact.digits, exact.point, p)
    eprec = p
    if (eprec > digs.digits.length && digs.digits.length >= digs.point) eprec = digs.digits.length
  }
  const nd = Math.max(digs.digits.length, 1)
  const exp = digs.point - 1
  if (digs.digits !== '' && (exp < -4 || exp >= eprec))
    return formatE(digs.digits, digs.point, Math.min(p, nd) - 1, e)
  if (digs.digits === '') return '0'
  return formatF(digs.digits, digs.point, Math.max((p > digs.point ? nd : p) - digs.point, 0))
}

/**
 * Go's fmt '#' on a float verb (fmt.fmtFloat's sharp): the decimal point always written, and %g/%G
 * keep their trailing zeros up to the precision (6 when none is given).
 */
function goSharpFloat(body: string, verb: string, prec: number | undefined): string {
  let digits = verb === 'g' || verb === 'G' ? (prec ?? 6) : 0
  const at = body.search(/[eE]/)
  const number = at === -1 ? body : body.slice(0, at)
  const exponent = at === -1 ? '' : body.slice(at)
  let sawNonzero = false
  for (const c of number) {
    if (c === '.') continue
    if (c !== '0') sawNonzero = true
    if (sawNonzero) digits -= 1
  }
  let out = number
  if (!number.includes('.')) {
    if (number === '0') digits -= 1
    out += '.'
  }
  return out + '0'.repeat(Math.max(digits, 0)) + exponent
}

/** Go's fmt.Sprintf of a float64 with one of e, E, f, F, g, G, flags from `-+ 0#` and a width. */
export function goSprintfFloat(
  x: number,
  flags: string,
  width: string,
  precision: string | undefined,
  verb: string,
): string {
  const prec = precision === undefined ? undefined : precision === '' ? 0 : Number(precision)
  const minus = flags.includes('-')
  const plus = flags.includes('+')
  const zero = flags.includes('0') && !minus
  const wid = width === '' ? 0 : Number(width)
  const pad = (text: string, withZero: boolean): string => {
    if (text.length >= wid) return text
    if (minus) return text.padEnd(wid, ' ')
    return text.padStart(wid, withZero ? '0' : ' ')
  }
  if (Number.isNaN(x)) return pad(plus ? '+NaN' : flags.includes(' ') ? ' NaN' : 'NaN', false)
  const negative = x < 0 || Object.is(x, -0)
  let sign = negative ? '-' : '+'
  if (!Number.isFinite(x)) {
    if (sign === '+' && flags.includes(' ') && !plus) sign = ' '
    return pad(`${sign}Inf`, false)
  }
  const digits = strconvFloat(Math.abs(x), verb === 'F' ? 'f' : verb, prec)
  const body = flags.includes('#') ? goSharpFloat(digits, verb, prec) : digits
  if (sign === '+' && flags.includes(' ') && !plus) sign = ' '
  if (plus || sign !== '+') {
    if (zero && wid > body.length + 1) return sign + body.padStart(wid - 1, '0')
    return pad(sign + body, false)
  }
  return pad(body, zero)
}
