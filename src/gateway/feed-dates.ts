// gofeed's parsed dates (publishedParsed, updatedParsed), for the forms feeds use: its ParseDate tries
// time.Parse with a long list of layouts; here RSS's RFC 822 / 1123 dates (day of week optional, one- or
// two-digit day, two- or four-digit year, seconds and zone optional) and Atom's RFC 3339. A zone
// abbreviation counts as UTC, as Go parses one it does not know in a UTC process (KrakenD's container),
// but where gofeed loads it (see LOADED_ZONES). gofeed
// stores the time in UTC and Go's JSON writes it in RFC 3339 with the fraction's zeros trimmed.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const RFC822 =
  /^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}|\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?(?: (?:([+-])(\d{2})(\d{2})|([A-Z]{3}T?|UT|Z)))?$/
/**
 * Zone names Go loads as locations with a fixed offset. A zone name in RFC 1123's form (short day
 * name, two-digit day, four-digit year, seconds) or RFC 822's (no day name, two-digit day and year,
 * no seconds) matches those layouts first, where it counts as UTC; any other form reaches gofeed's
 * named-zone layouts, which load the zone. Other names (PST, CET...) are read as UTC here.
 */
const LOADED_ZONES: Record<string, number> = { EST: -300, MST: -420, HST: -600 }
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/

/**
 * The date as Go's JSON writes gofeed's parsed time, or undefined where this reading finds none.
 * RSS and Atom store it in UTC; a JSON Feed keeps the offset it was written with (`keepOffset`).
 */
export function feedDate(text: string, keepOffset = false): string | undefined {
  const d = text.trim()
  if (d === '') return undefined
  const rss = RFC822.exec(d)
  if (rss) {
    const [, weekday, day, month, year, hour, minute, second, sign, offH, offM, zone] = rss
    const yy = Number(year)
    const fullYear = year?.length === 2 ? (yy >= 69 ? 1900 + yy : 2000 + yy) : yy
    const rfc1123 = weekday?.length === 3 && day?.length === 2 && year?.length === 4 && second !== undefined
    const rfc822 = weekday === undefined && day?.length === 2 && year?.length === 2 && second === undefined
    const named = zone !== undefined && !rfc1123 && !rfc822 ? (LOADED_ZONES[zone] ?? 0) : 0
    const offset = sign ? (sign === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM)) : named
    return utc(
      fullYear,
      MONTHS.indexOf(month as string) + 1,
      Number(day),
      Number(hour),
      Number(minute),
      Number(second ?? 0),
      '',
      offset,
      keepOffset,
    )
  }
  const atom = RFC3339.exec(d)
  if (!atom) return undefined
  const [, year, month, day, hour, minute, second, fraction, sign, offH, offM] = atom
  if (sign && (Number(offH) > 23 || Number(offM) > 59)) return undefined
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM)) : 0
  return utc(
    Number(year),
    Number(month),
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    fraction ?? '',
    offset,
    keepOffset,
  )
}

function utc(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  fraction: string,
  offsetMinutes: number,
  keepOffset: boolean,
) {
  const lastDay = new Date(Date.UTC(2000, mo, 0)).getUTCDate()
  if (mo < 1 || mo > 12 || d < 1 || d > lastDay || h > 23 || mi > 59 || s > 59) return undefined
  // Go refuses 29 February outside leap years
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return undefined
  const at = new Date(0)
  at.setUTCFullYear(y, mo - 1, d)
  at.setUTCHours(h, keepOffset ? mi : mi - offsetMinutes, s, 0)
  const year = at.getUTCFullYear()
  if (year < 0 || year > 9999) return undefined
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  const trimmed = fraction.replace(/0+$/, '')
  const abs = Math.abs(offsetMinutes)
  const zone =
    !keepOffset || offsetMinutes === 0
      ? 'Z'
      : `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.trunc(abs / 60))}:${pad(abs % 60)}`
  const date = `${pad(year, 4)}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`
  const time = `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`
  return `${date}T${time}${trimmed ? `.${trimmed}` : ''}${zone}`
}
