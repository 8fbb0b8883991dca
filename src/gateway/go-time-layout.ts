// Go's time.Parse by layout (time/format.go: nextStdChunk, skip, getnum, parseTimeZone), for the
// layouts gofeed tries on feed dates. The result is the wall clock read, with the zone Go would attach:
// an offset it read, a zone name (zoneName, resolved by the caller as Go's location does), or none.
import { daysIn, LONG_DAYS, LONG_MONTHS } from './go-time.ts'
import { getnum, isDigitAt, readOffset, TZ_FORMS, timeZoneLength } from './go-time-fields.ts'

export interface GoParsedTime {
  year: number
  month: number
  day: number
  hour: number
  min: number
  sec: number
  /** The fraction's digits as read (nanoseconds' leading digits). */
  nsec: number
  /** Seconds east of UTC when the value said so. */
  offset: number | undefined
  /** "Z" or "UTC" was read: Go's UTC location, whatever else the value says. */
  utc: boolean
  /** A zone abbreviation read by MST without a numeric offset. */
  zoneName: string
}

const SHORT_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

type Std =
  | 'Jan'
  | 'January'
  | 'Mon'
  | 'Monday'
  | 'MST'
  | '01'
  | '02'
  | '03'
  | '04'
  | '05'
  | '06'
  | '002'
  | '15'
  | '1'
  | '2006'
  | '2'
  | '_2'
  | '__2'
  | '3'
  | '4'
  | '5'
  | 'PM'
  | 'pm'
  | 'tz'
  | 'frac0'
  | 'frac9'
interface Chunk {
  prefix: string
  std: Std | undefined
  /** tz: "Z" accepted; colon / digits form. */
  tz?: { iso: boolean; form: '0700' | '07:00' | '07' | '070000' | '07:00:00' }
  digits?: number
  suffix: string
}

const startsWithLower = (s: string) => s.length > 0 && s.charCodeAt(0) >= 97 && s.charCodeAt(0) <= 122
/** nextStdChunk. */
function nextChunk(layout: string): Chunk {
  const at = (i: number, std: Std, length: number): Chunk => ({
    prefix: layout.slice(0, i),
    std,
    suffix: layout.slice(i + length),
  })
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]
    const rest = layout.slice(i)
    switch (c) {
      case 'J':
        if (rest.startsWith('Jan')) {
          if (rest.startsWith('January')) return at(i, 'January', 7)
          if (!startsWithLower(rest.slice(3))) return at(i, 'Jan', 3)
        }
        break
      case 'M':
        if (rest.startsWith('Mon')) {
          if (rest.startsWith('Monday')) return at(i, 'Monday', 6)
          if (!startsWithLower(rest.slice(3))) return at(i, 'Mon', 3)
        }
        if (rest.startsWith('MST')) return at(i, 'MST', 3)
        break
      case '0':
        if (rest.length >= 2 && (rest[1] ?? '') >= '1' && (rest[1] ?? '') <= '6')
          return at(i, `0${rest[1]}` as Std, 2)
        if (rest.startsWith('002')) return at(i, '002', 3)
        break
      case '1':
        return rest[1] === '5' ? at(i, '15', 2) : at(i, '1', 1)
      case '2':
        return rest.startsWith('2006') ? at(i, '2006', 4) : at(i, '2', 1)
      case '_':
        if (rest[1] === '2') {
          if (rest.startsWith('_2006'))
            return { prefix: layout.slice(0, i + 1), std: '2006', suffix: layout.slice(i + 5) }
          return at(i, '_2', 2)
        }
        if (rest.startsWith('__2')) return at(i, '__2', 3)
        break
      case '3':
      case '4':
      case '5':
        return at(i, c, 1)
      case 'P':
        if (rest[1] === 'M') return at(i, 'PM', 2)
        break
      case 'p':
        if (rest[1] === 'm') return at(i, 'pm', 2)
        break
      case '-':
      case 'Z':
        for (const form of TZ_FORMS)
          if (rest.startsWith(`${c}${form}`))
            return { ...at(i, 'tz', form.length + 1), tz: { iso: c === 'Z', form } }
        break
      case '.':
      case ',':
        if (rest[1] === '0' || rest[1] === '9') {
          let j = i + 1
          while (j < layout.length && layout[j] === rest[1]) j++
          if (!isDigitAt(layout, j))
            return { ...at(i, rest[1] === '0' ? 'frac0' : 'frac9', j - i), digits: j - i - 1 }
        }
        break
    }
  }
  return { prefix: layout, std: undefined, suffix: '' }
}

const cutSpace = (s: string) => s.replace(/^ +/, '')

/** skip: the layout's literal text; a run of spaces matches a run of spaces. */
function skip(value: string, prefix: string): string | undefined {
  let p = prefix
  let v = value
  while (p.length > 0) {
    if (p[0] === ' ') {
      if (v.length > 0 && v[0] !== ' ') return undefined
      p = cutSpace(p)
      v = cutSpace(v)
      continue
    }
    if (v.length === 0 || v[0] !== p[0]) return undefined
    p = p.slice(1)
    v = v.slice(1)
  }
  return v
}

/** Go's time.atoi: an optional sign and decimal digits, nothing else. */
function atoi(s: string): number | undefined {
  const m = /^([+-]?)(\d+)$/.exec(s)
  if (!m) return undefined
  return (m[1] === '-' ? -1 : 1) * Number(m[2])
}

/** lookup: a name of the table at the start of the value, ASCII case-insensitive. */
function lookup(table: string[], value: string): [number, string] | undefined {
  for (const [i, name] of table.entries())
    if (value.length >= name.length && value.slice(0, name.length).toLowerCase() === name.toLowerCase())
      return [i, value.slice(name.length)]
  return undefined
}

/** Go's time.Parse(layout, value): what it read, or undefined where Go returns an error. */
export function goTimeParse(layout: string, input: string): GoParsedTime | undefined {
  let value = input
  let rest = layout
  let year = 0
  let month = -1
  let day = -1
  let hour = 0
  let min = 0
  let sec = 0
  let nsec = 0
  let offset: number | undefined
  let zoneName = ''
  let utc = false
  let am = false
  let pm = false
  for (;;) {
    const chunk = nextChunk(rest)
    const skipped = skip(value, chunk.prefix)
    if (skipped === undefined) return undefined
    value = skipped
    if (chunk.std === undefined) return value.length === 0 ? finish() : undefined
    rest = chunk.suffix
    switch (chunk.std) {
      case '06': {
        if (value.length < 2) return undefined
        const y = atoi(value.slice(0, 2))
        if (y === undefined) return undefined
        year = y >= 69 ? y + 1900 : y + 2000
        value = value.slice(2)
        break
      }
      case '2006': {
        if (value.length < 4 || !isDigitAt(value, 0)) return undefined
        const y = atoi(value.slice(0, 4))
        if (y === undefined) return undefined
        year = y
        value = value.slice(4)
        break
      }
      case 'Jan':
      case 'January': {
        const found = lookup(chunk.std === 'Jan' ? SHORT_MONTHS : LONG_MONTHS, value)
        if (!found) return undefined
        month = found[0] + 1
        value = found[1]
        break
      }
      case '1':
      case '01': {
        const n = getnum(value, chunk.std === '01')
        if (!n || n[0] <= 0 || n[0] > 12) return undefined
        ;[month, value] = n
        break
      }
      case 'Mon':
      case 'Monday': {
        const found = lookup(chunk.std === 'Mon' ? SHORT_DAYS : LONG_DAYS, value)
        if (!found) return undefined
        value = found[1]
        break
      }
      case '2':
      case '_2':
      case '02': {
        if (chunk.std === '_2' && value[0] === ' ') value = value.slice(1)
        const n = getnum(value, chunk.std === '02')
        if (!n) return undefined
        ;[day, value] = n
        break
      }
      case '15':
      case '3':
      case '03': {
        const n = getnum(value, chunk.std === '03')
        if (!n || n[0] > (chunk.std === '15' ? 23 : 12)) return undefined
        ;[hour, value] = n
        break
      }
      case '4':
      case '04': {
        const n = getnum(value, chunk.std === '04')
        if (!n || n[0] >= 60) return undefined
        ;[min, value] = n
        break
      }
      case '5':
      case '05': {
        const n = getnum(value, chunk.std === '05')
        if (!n || n[0] >= 60) return undefined
        ;[sec, value] = n
        // a fraction the layout does not name is read all the same
        if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigitAt(value, 1)) {
          const next = nextChunk(rest).std
          if (next === 'frac0' || next === 'frac9') break
          let n2 = 2
          while (isDigitAt(value, n2)) n2++
          nsec = nanos(value, n2)
          value = value.slice(n2)
        }
        break
      }
      case 'PM':
      case 'pm': {
        if (value.length < 2) return undefined
        const p = value.slice(0, 2)
        const [amText, pmText] = chunk.std === 'PM' ? ['AM', 'PM'] : ['am', 'pm']
        if (p === pmText) pm = true
        else if (p === amText) am = true
        else return undefined
        value = value.slice(2)
        break
      }
      case 'tz': {
        const tz = chunk.tz as NonNullable<Chunk['tz']>
        if (tz.iso && value[0] === 'Z') {
          value = value.slice(1)
          utc = true
          break
        }
        const read = readOffset(value, tz.form)
        if (read === undefined) return undefined
        ;[offset, value] = read
        break
      }
      case 'MST': {
        if (value.startsWith('UTC')) {
          value = value.slice(3)
          utc = true
          break
        }
        const n = timeZoneLength(value)
        if (n === 0) return undefined
        zoneName = value.slice(0, n)
        value = value.slice(n)
        break
      }
      case 'frac0': {
        const digits = (chunk.digits ?? 0) + 1
        if (value.length < digits || (value[0] !== '.' && value[0] !== ',')) return undefined
        if (!/^\d+$/.test(value.slice(1, digits))) return undefined
        nsec = nanos(value, digits)
        value = value.slice(digits)
        break
      }
      case 'frac9': {
        if (value.length < 2 || (value[0] !== '.' && value[0] !== ',') || !isDigitAt(value, 1)) break
        let i = 1
        while (isDigitAt(value, i + 1)) i++
        nsec = nanos(value, 1 + i)
        value = value.slice(1 + i)
        break
      }
      default:
        // day-of-year layouts: none of gofeed's
        return undefined
    }
  }

  function finish(): GoParsedTime | undefined {
    if (pm && hour < 12) hour += 12
    else if (am && hour === 12) hour = 0
    const m = month < 0 ? 1 : month
    const d = day < 0 ? 1 : day
    if (d < 1 || d > daysIn(m, year)) return undefined
    return { year, month: m, day: d, hour, min, sec, nsec, offset, zoneName, utc }
  }
}

/** parseNanoseconds: the fraction's first nine digits as nanoseconds. */
function nanos(value: string, length: number): number {
  const digits = value.slice(1, Math.min(length, 10))
  return Number(digits.padEnd(9, '0'))
}
