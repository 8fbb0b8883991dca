// Go's time.Time.String() of time.Now(), as KrakenD's /__health writes `now`:
// "2006-01-02 15:04:05.999999999 -0700 MST m=+0.000000001" in the process's local zone, with the
// monotonic reading (time since the process started) after `m=`. The wall clock here is read to the
// millisecond, so the fraction has at most three digits (Go trims trailing zeros the same way).

import { readlinkSync } from 'node:fs'

const pad = (n: number, width: number) => String(n).padStart(width, '0')

let zoneNameFormat: Intl.DateTimeFormat | undefined
let localIsUtc: boolean | undefined

const UTC_ZONES = ['UTC', 'Etc/UTC', 'Etc/UCT', 'Etc/Universal', 'Etc/Zulu', 'Universal', 'Zulu', 'UCT']

/**
 * The local zone's name where it is found as ICU first looks for it: TZ, else the zoneinfo file
 * /etc/localtime links to. Asking ICU itself (an Intl.DateTimeFormat) costs the first /__health
 * of every node ~10 ms of CPU and ~5.6 MB of RSS (ICU's data pages), and the zone is UTC on most
 * servers; ICU is asked only when this finds no UTC name.
 */
function localZoneHint(): string | undefined {
  const tz = process.env.TZ
  // an empty TZ is UTC for Go and the C library alike
  if (tz !== undefined) return tz === '' ? 'UTC' : tz.startsWith(':') ? tz.slice(1) : tz
  try {
    return readlinkSync('/etc/localtime').split('/zoneinfo/')[1]
  } catch (error) {
    // no /etc/localtime at all: UTC, as Go and ICU both take it
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'UTC' : undefined
  }
}

/** The abbreviation Go prints for the local zone: `UTC` there, ICU's short name elsewhere. */
function zoneName(date: Date, offsetMinutes: number): string {
  localIsUtc ??=
    UTC_ZONES.includes(localZoneHint() ?? '') ||
    UTC_ZONES.includes(Intl.DateTimeFormat().resolvedOptions().timeZone)
  if (localIsUtc && offsetMinutes === 0) return 'UTC'
  zoneNameFormat ??= new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
  return zoneNameFormat.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? ''
}

/** The abbreviation Go's time.Format writes for `MST` in the local zone at `date` (see zoneName). */
export const goZoneAbbreviation = (date: Date): string => zoneName(date, -date.getTimezoneOffset())

/** The fraction of a second as Go's `.999999999` writes it: trailing zeros, and then the dot, dropped. */
function fraction(ms: number): string {
  return ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`
}

/** Go's ` m=+S.NNNNNNNNN` for a monotonic reading in nanoseconds. */
export function goMonotonicSuffix(nanoseconds: bigint): string {
  const sign = nanoseconds < 0n ? '-' : '+'
  const abs = nanoseconds < 0n ? -nanoseconds : nanoseconds
  return ` m=${sign}${abs / 1_000_000_000n}.${(abs % 1_000_000_000n).toString().padStart(9, '0')}`
}

/** time.Time.String() of the instant `epochMs` in the local zone, with `uptimeNs` as its monotonic reading. */
export function goTimeString(epochMs: number, uptimeNs: bigint): string {
  const date = new Date(epochMs)
  const offsetMinutes = -date.getTimezoneOffset()
  const abs = Math.abs(offsetMinutes)
  const offset = `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60), 2)}${pad(abs % 60, 2)}`
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)} ${pad(
    date.getHours(),
    2,
  )}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}${fraction(date.getMilliseconds())} ${offset} ${zoneName(
    date,
    offsetMinutes,
  )}${goMonotonicSuffix(uptimeNs)}`
}

/** time.Now().String(): now, with the time since this process started as the monotonic reading. */
export const goNowString = () => goTimeString(Date.now(), BigInt(Math.round(process.uptime() * 1e9)))
