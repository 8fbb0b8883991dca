/**
 * cel-go's timestamp accessors with a time zone (`t.getHours('Europe/Madrid')`), which cel-js
 * reads through `toLocaleString`: it took names Go's time.LoadLocation refuses (`utc`,
 * `america/new_york`: the IANA names are case-sensitive in Go) and refused offsets Go takes
 * (`02:00`, the empty name for UTC); `getMilliseconds` and `getDayOfYear` ignored the zone. Here:
 * cel-go's timeZone(): a value with `:` is an offset `hours:minutes` read with Go's Atoi (`-05:30`,
 * `+2:00`), else a location (`""` and `UTC` are UTC, `Local` the process's zone, else an IANA
 * name as written). The calls are renamed `<accessor>Go` (cel-go-functions.ts).
 */
import type { Environment } from '@marcbachmann/cel-js'

export const ZONED_ACCESSORS = new Set([
  'getDate',
  'getDayOfMonth',
  'getDayOfWeek',
  'getDayOfYear',
  'getFullYear',
  'getHours',
  'getMilliseconds',
  'getMinutes',
  'getMonth',
  'getSeconds',
])

interface WallClock {
  year: number
  month: number
  day: number
  weekday: number
  hour: number
  minute: number
  second: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()
const MAX_FORMATTERS = 64

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone)
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      })
    } catch {
      throw new Error(`unknown time zone ${zone}`)
    }
    const resolved = formatter.resolvedOptions().timeZone
    // Go opens the zoneinfo file by its name, which ICU reads in any case: every IANA name has a
    // capital letter, and one written otherwise than the real name in case only fails.
    const caseOnly = resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()
    if (caseOnly || !/[A-Z]/.test(zone)) throw new Error(`unknown time zone ${zone}`)
    if (formatters.size >= MAX_FORMATTERS) formatters.clear()
    formatters.set(zone, formatter)
  }
  return formatter
}

/** Go's strconv.Atoi. */
function goAtoi(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw new Error(`strconv.Atoi: parsing "${text}": invalid syntax`)
  return Number(text)
}

function utcClock(ms: number): WallClock {
  const d = new Date(ms)
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth(),
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  }
}

/** The wall clock of instant `ms` in cel-go's time zone `tz`. */
function wallClock(ms: number, tz: string): WallClock {
  const colon = tz.indexOf(':')
  if (colon !== -1) {
    const hours = goAtoi(tz.slice(0, colon))
    const minutes = goAtoi(tz.slice(colon + 1))
    const offset = tz[0] === '-' ? hours * 60 - minutes : hours * 60 + minutes
    return utcClock(ms + offset * 60_000)
  }
  if (tz === '' || tz === 'UTC') return utcClock(ms)
  if (tz === 'Local') {
    const d = new Date(ms)
    const local = Date.UTC(
      d.getFullYear(),
      d.getMonth(),
      d.getDate(),
      d.getHours(),
      d.getMinutes(),
      d.getSeconds(),
    )
    return utcClock(local)
  }
  const parts = Object.fromEntries(
    formatterFor(tz)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  )
  const yearOfEra = Number(parts.year)
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - yearOfEra : yearOfEra
  const [month, day] = [Number(parts.month) - 1, Number(parts.day)]
  const date = new Date(0)
  date.setUTCFullYear(year, month, day)
  return {
    year,
    month,
    day,
    weekday: date.getUTCDay(),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  }
}

function dayOfYear(clock: WallClock): number {
  const date = new Date(0)
  date.setUTCFullYear(clock.year, clock.month, clock.day)
  const start = new Date(0)
  start.setUTCFullYear(clock.year, 0, 1)
  return Math.round((date.getTime() - start.getTime()) / 86_400_000)
}

const ACCESSOR_VALUES: Record<string, (clock: WallClock, ms: number) => number> = {
  getDate: (c) => c.day,
  getDayOfMonth: (c) => c.day - 1,
  getDayOfWeek: (c) => c.weekday,
  getDayOfYear: dayOfYear,
  getFullYear: (c) => c.year,
  getHours: (c) => c.hour,
  getMilliseconds: (_c, ms) => ((ms % 1000) + 1000) % 1000,
  getMinutes: (c) => c.minute,
  getMonth: (c) => c.month,
  getSeconds: (c) => c.second,
}

/** `google.protobuf.Timestamp.<accessor>Go(string): int` for each accessor. */
export function withGoTimeZones(env: Environment): Environment {
  let out = env
  for (const [name, value] of Object.entries(ACCESSOR_VALUES))
    out = out.registerFunction(`google.protobuf.Timestamp.${name}Go(string): int`, (t: Date, tz: string) => {
      const ms = t.getTime()
      return BigInt(value(wallClock(ms, tz), ms))
    })
  return out
}

interface OperatorDeclaration {
  operator: string
  leftType?: { name: string }
  rightType?: { name: string }
  handler: unknown
  async: boolean
  returnType: unknown
}

const GPD = 'google.protobuf.Duration'
const GPT = 'google.protobuf.Timestamp'

/**
 * cel-js declares `duration + timestamp` to give a duration (its value is the timestamp), so
 * `duration('1h') + timestamp(now) > timestamp(now)` did not check; cel-go gives a timestamp.
 * The registry is private and its declarations frozen: the declaration is replaced in the `+`
 * candidates a checked sum of dyn reaches (a dyn operand leaves the overload cache empty).
 */
export function withTimestampSum(env: Environment): Environment {
  const probe = env.parse('dyn(1) + 1')
  probe.check()
  const ast = (probe as unknown as { ast: { candidates?: { declarations?: OperatorDeclaration[] } } }).ast
  const declarations = ast.candidates?.declarations ?? []
  const at = (left: string, right: string) =>
    declarations.findIndex((d) => d.leftType?.name === left && d.rightType?.name === right)
  const [sum, timestampSum] = [declarations[at(GPD, GPT)], declarations[at(GPT, GPD)]]
  if (sum === undefined || timestampSum === undefined) return env
  const Declaration = sum.constructor as new (fields: Record<string, unknown>) => OperatorDeclaration
  declarations[at(GPD, GPT)] = new Declaration({
    op: sum.operator,
    leftType: sum.leftType,
    rightType: sum.rightType,
    handler: sum.handler,
    async: sum.async,
    returnType: timestampSum.returnType,
  })
  return env
}
