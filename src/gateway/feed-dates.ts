// gofeed's parsed dates (publishedParsed, updatedParsed): its shared.ParseDate tries Go's time.Parse
// with gofeed's layouts (go-time-layout.ts), then those with a zone name, whose zone Go loads from
// the tz database where it can (LOADED_ZONES: the names that are zones of their own). A zone name Go
// does not find in the process's location (UTC, KrakenD's container) counts as UTC, GMT+3 as +03:00.
// Go's JSON writes the time in RFC 3339 with the fraction's zeros trimmed: RSS and Atom store it in
// UTC, a JSON Feed or a Dublin Core date keeps its offset.
import { type GoParsedTime, goTimeParse } from './go-time-layout.ts'

const DATE_FORMATS = [
  '02 Jan 06 15:04 MST',
  '02 Jan 06 15:04 -0700',
  '2006-01-02T15:04:05Z07:00',
  'Mon Jan _2 15:04:05 MST 2006',
  'Mon Jan 02 15:04:05 -0700 2006',
  'Monday, 02-Jan-06 15:04:05 MST',
  'Mon, 02 Jan 2006 15:04:05 -0700',
  'Mon, 02 Jan 2006 15:04:05 MST',
  'Mon Jan _2 15:04:05 2006',
  'Mon, January 2 2006 15:04:05 -0700',
  'Mon, Jan 2 2006 15:04:05 -700',
  'Mon, Jan 2 2006 15:04:05 -0700',
  'Mon Jan 2 15:04 2006',
  'Mon Jan 02, 2006 3:04 pm',
  'Mon Jan 02 2006 15:04:05 -0700',
  'Mon Jan 02 2006 15:04:05 GMT-0700 (MST)',
  'Monday, January 2, 2006 03:04 PM',
  'Monday, January 2, 2006',
  'Monday, January 02, 2006',
  'Monday, 2 January 2006 15:04:05 -0700',
  'Monday, 2 Jan 2006 15:04:05 -0700',
  'Monday, 02 January 2006 15:04:05 -0700',
  'Monday, 02 January 2006 15:04:05',
  'Mon, 2 January 2006, 15:04 -0700',
  'Mon, 2 January 2006 15:04:05 -0700',
  'Mon, 2 January 2006',
  'Mon, 2 Jan 2006 3:04:05 PM -0700',
  'Mon, 2 Jan 2006 15:4:5 -0700 GMT',
  'Mon, 2, Jan 2006 15:4',
  'Mon, 2 Jan 2006, 15:04 -0700',
  'Mon, 2 Jan 2006 15:04 -0700',
  'Mon, 2 Jan 2006 15:04:05 UT',
  'Mon, 2 Jan 2006 15:04:05 -0700 MST',
  'Mon, 2 Jan 2006 15:04:05-0700',
  'Mon, 2 Jan 2006 15:04:05 -0700',
  'Mon, 2 Jan 2006 15:04:05',
  'Mon, 2 Jan 2006 15:04',
  'Mon,2 Jan 2006',
  'Mon, 2 Jan 2006',
  'Mon, 2 Jan 06 15:04:05 -0700',
  'Mon, 2006-01-02 15:04',
  'Mon, 02 January 2006',
  'Mon, 02 Jan 2006 15 -0700',
  'Mon, 02 Jan 2006 15:04 -0700',
  'Mon, 02 Jan 2006 15:04:05 Z',
  'Mon, 02 Jan 2006 15:04:05 UT',
  'Mon, 02 Jan 2006 15:04:05 MST-07:00',
  'Mon, 02 Jan 2006 15:04:05 MST -0700',
  'Mon, 02 Jan 2006 15:04:05 GMT-0700',
  'Mon,02 Jan 2006 15:04:05 -0700',
  'Mon, 02 Jan 2006 15:04:05 -0700',
  'Mon, 02 Jan 2006 15:04:05 -07:00',
  'Mon, 02 Jan 2006 15:04:05 --0700',
  'Mon 02 Jan 2006 15:04:05 -0700',
  'Mon, 02 Jan 2006 15:04:05 -07',
  'Mon, 02 Jan 2006 15:04:05 00',
  'Mon, 02 Jan 2006 15:04:05',
  'Mon, 02 Jan 2006 15:4:5 Z',
  'Mon, 02 Jan 2006',
  'January 2, 2006 3:04 PM',
  'January 2, 2006, 3:04 p.m.',
  'January 2, 2006 15:04:05',
  'January 2, 2006 03:04 PM',
  'January 2, 2006',
  'January 02, 2006 15:04',
  'January 02, 2006 03:04 PM',
  'January 02, 2006',
  'Jan 2, 2006 3:04:05 PM',
  'Jan 2, 2006',
  'Jan 02 2006 03:04:05PM',
  'Jan 02, 2006',
  '6/1/2 15:04',
  '6-1-2 15:04',
  '2 January 2006 15:04:05 -0700',
  '2 January 2006',
  '2 Jan 2006 15:04:05 Z',
  '2 Jan 2006 15:04:05 -0700',
  '2 Jan 2006',
  '2.1.2006 15:04:05',
  '2/1/2006',
  '2-1-2006',
  '2006 January 02',
  '2006-1-2T15:04:05Z',
  '2006-1-2 15:04:05',
  '2006-1-2',
  '2006-1-02T15:04:05Z',
  '2006-01-02T15:04Z',
  '2006-01-02T15:04-07:00',
  '2006-01-02T15:04:05Z',
  '2006-01-02T15:04:05-07:00:00',
  '2006-01-02T15:04:05:-0700',
  '2006-01-02T15:04:05-0700',
  '2006-01-02T15:04:05-07:00',
  '2006-01-02T15:04:05 -0700',
  '2006-01-02T15:04:05:00',
  '2006-01-02T15:04:05',
  '2006-01-02 at 15:04:05',
  '2006-01-02 15:04:05Z',
  '2006-01-02 15:04:05-0700',
  '2006-01-02 15:04:05-07:00',
  '2006-01-02 15:04:05 -0700',
  '2006-01-02 15:04',
  '2006-01-02 00:00:00.0 15:04:05.0 -0700',
  '2006/01/02',
  '2006-01-02',
  '15:04 02.01.2006 -0700',
  '1/2/2006 3:04:05 PM',
  '1/2/2006',
  '06/1/2 15:04',
  '06-1-2 15:04',
  '02 Monday, Jan 2006 15:04',
  '02 Jan 2006 15:04:05 UT',
  '02 Jan 2006 15:04:05 -0700',
  '02 Jan 2006 15:04:05',
  '02 Jan 2006',
  '02.01.2006 15:04:05',
  '02/01/2006 15:04:05',
  '02.01.2006 15:04',
  '02/01/2006 - 15:04',
  '02.01.2006 -0700',
  '02/01/2006',
  '02-01-2006',
  '01/02/2006 3:04 PM',
  '01/02/2006 - 15:04',
  '01/02/2006',
  '01-02-2006',
]

const DATE_FORMATS_WITH_NAMED_ZONE = [
  'Mon, January 02, 2006, 15:04:05 MST',
  'Mon, January 02, 2006 15:04:05 MST',
  'Mon, Jan 2, 2006 15:04 MST',
  'Mon, Jan 2 2006 15:04 MST',
  'Mon, Jan 2, 2006 15:04:05 MST',
  'Mon Jan 2 15:04:05 2006 MST',
  'Mon, Jan 02,2006 15:04:05 MST',
  'Monday, January 2, 2006 15:04:05 MST',
  'Monday, 2 January 2006 15:04:05 MST',
  'Monday, 2 Jan 2006 15:04:05 MST',
  'Monday, 02 January 2006 15:04:05 MST',
  'Mon, 2 January 2006 15:04 MST',
  'Mon, 2 January 2006, 15:04:05 MST',
  'Mon, 2 January 2006 15:04:05 MST',
  'Mon, 2 Jan 2006 15:4:5 MST',
  'Mon, 2 Jan 2006 15:04 MST',
  'Mon, 2 Jan 2006 15:04:05MST',
  'Mon, 2 Jan 2006 15:04:05 MST',
  'Mon 2 Jan 2006 15:04:05 MST',
  'mon,2 Jan 2006 15:04:05 MST',
  'Mon, 2 Jan 15:04:05 MST',
  'Mon, 2 Jan 06 15:04:05 MST',
  'Mon,02 January 2006 14:04:05 MST',
  'Mon, 02 Jan 2006 3:04:05 PM MST',
  'Mon,02 Jan 2006 15:04 MST',
  'Mon, 02 Jan 2006 15:04 MST',
  'Mon, 02 Jan 2006, 15:04:05 MST',
  'Mon, 02 Jan 2006 15:04:05MST',
  'Mon, 02 Jan 2006 15:04:05 MST',
  'Mon , 02 Jan 2006 15:04:05 MST',
  'Mon, 02 Jan 06 15:04:05 MST',
  'January 2, 2006 15:04:05 MST',
  'January 02, 2006 15:04:05 MST',
  'Jan 2, 2006 3:04:05 PM MST',
  'Jan 2, 2006 15:04:05 MST',
  '2 January 2006 15:04:05 MST',
  '2 Jan 2006 15:04:05 MST',
  '2006-01-02 15:04:05 MST',
  '1/2/2006 3:04:05 PM MST',
  '1/2/2006 15:04:05 MST',
  '02 Jan 2006 15:04 MST',
  '02 Jan 2006 15:04:05 MST',
  '02/01/2006 15:04 MST',
  '02-01-2006 15:04:05 MST',
  '01/02/2006 15:04:05 MST',
]

/**
 * Zone names time.LoadLocation finds in the tz database whose zones carry that name: Go reads the
 * name's offset (seconds east) there; a loaded zone without it (PRC, ROC, ROK, UCT) is as unknown.
 * CET, EET, MET and WET observe EU summer time, which shows in a kept offset.
 */
const LOADED_ZONES: Record<string, number> = {
  CET: 3600,
  EET: 7200,
  EST: -18000,
  HST: -36000,
  MET: 3600,
  MST: -25200,
  GMT: 0,
  UTC: 0,
  WET: 0,
}
const LOADABLE = new Set([...Object.keys(LOADED_ZONES), 'PRC', 'ROC', 'ROK', 'UCT', 'GMT+0', 'GMT-0', 'GMT0'])
const EU_SUMMER = new Set(['CET', 'EET', 'MET', 'WET'])

/** The time gofeed gets: its instant (ms) and the offset Go shows with it (seconds east). */
interface FeedTime {
  ms: number
  shown: number
  nsec: number
}

const wallMs = (t: GoParsedTime) => {
  const at = new Date(0)
  at.setUTCFullYear(t.year, t.month - 1, t.day)
  at.setUTCHours(t.hour, t.min, t.sec, 0)
  return at.getTime()
}

/**
 * The end of Go's parse in a location that does not know a zone name: the wall clock is taken as
 * UTC and only shown with the name's offset (GMT+3: +03:00, any other: 0), as Go's parse does.
 */
function inProcess(t: GoParsedTime): FeedTime {
  const wall = wallMs(t)
  if (t.utc) return { ms: wall, shown: 0, nsec: t.nsec }
  if (t.offset !== undefined) return { ms: wall - t.offset * 1000, shown: t.offset, nsec: t.nsec }
  const gmt = t.zoneName.length > 3 && t.zoneName.startsWith('GMT') ? Number(t.zoneName.slice(3)) * 3600 : 0
  return { ms: wall, shown: gmt, nsec: t.nsec }
}

/** time.ParseInLocation in the zone LoadLocation(name) gave, for a time that named that zone. */
function inLoadedZone(t: GoParsedTime, name: string): FeedTime {
  const offset = LOADED_ZONES[name]
  if (offset === undefined) return inProcess(t)
  const ms = wallMs(t) - offset * 1000
  return { ms, shown: EU_SUMMER.has(name) && euSummer(ms) ? offset + 3600 : offset, nsec: t.nsec }
}

/** The EU's summer times of 1977-1980 in the tz database: [start, end) as UTC month/day, at 01:00. */
const EU_EARLY: Record<number, [number, number, number, number]> = {
  1977: [4, 3, 9, 25],
  1978: [4, 2, 10, 1],
  1979: [4, 1, 9, 30],
  1980: [4, 6, 9, 28],
}

/** EU summer time (1977 on): since 1981 the last Sunday of March to that of September (October from 1996), 01:00 UTC. */
function euSummer(ms: number): boolean {
  const year = new Date(ms).getUTCFullYear()
  const early = EU_EARLY[year]
  if (early)
    return ms >= Date.UTC(year, early[0] - 1, early[1], 1) && ms < Date.UTC(year, early[2] - 1, early[3], 1)
  if (year < 1977) return false
  const lastSunday = (month: number) => {
    const last = new Date(Date.UTC(year, month + 1, 0, 1))
    return last.getTime() - last.getUTCDay() * 86_400_000
  }
  return ms >= lastSunday(2) && ms < lastSunday(year < 1996 ? 8 : 9)
}

/** gofeed's shared.ParseDate, or undefined. */
function parseDate(text: string): FeedTime | undefined {
  const d = text.trim()
  if (d === '') return undefined
  for (const layout of DATE_FORMATS) {
    const t = goTimeParse(layout, d)
    if (t) return inProcess(t)
  }
  for (const layout of DATE_FORMATS_WITH_NAMED_ZONE) {
    const t = goTimeParse(layout, d)
    if (!t) continue
    const name = t.utc ? 'UTC' : t.zoneName
    if (!LOADABLE.has(name)) return inProcess(t)
    // ParseInLocation reads the untrimmed text again: surrounding spaces fail this layout
    const again = goTimeParse(layout, text)
    if (again) return inLoadedZone(again, name)
  }
  return undefined
}

/**
 * The date as Go's JSON writes gofeed's parsed time, or undefined where gofeed finds none.
 * RSS and Atom store it in UTC; a JSON Feed or Dublin Core date keeps its offset (`keepOffset`).
 */
export function feedDate(text: string, keepOffset = false): string | undefined {
  const parsed = parseDate(text)
  if (!parsed) return undefined
  const shown = keepOffset ? parsed.shown : 0
  const at = new Date(parsed.ms + shown * 1000)
  const year = at.getUTCFullYear()
  // Go's MarshalJSON fails outside years 0-9999: no parsed time is written then
  if (year < 0 || year > 9999) return undefined
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  const fraction = String(parsed.nsec).padStart(9, '0').replace(/0+$/, '')
  const minutes = Math.trunc(Math.abs(shown) / 60)
  const zone =
    shown === 0 ? 'Z' : `${shown < 0 ? '-' : '+'}${pad(Math.trunc(minutes / 60))}:${pad(minutes % 60)}`
  const date = `${pad(year, 4)}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`
  const time = `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`
  return `${date}T${time}${fraction ? `.${fraction}` : ''}${zone}`
}
