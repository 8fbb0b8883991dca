/**
 * gopher-lua's os.date (oslib.go's osDate and utils.go's strftime), which is no C strftime: a
 * format starting with '!' loses every leading '!' and reads the time in UTC; '*t' is a table of
 * year, month, day, hour, min, sec, wday, yday (always 0) and isdst (always false); otherwise each
 * `%x` is Go's time.Format of a layout from a short table — `%a` is the layout "mon", so the
 * literal `mon`; `%c` "02 Jan 06 15:04 MST"; `%x` "15/04/05" (the time, not the date) — `%w` the
 * weekday's number, `%%` one `%`, and any other `%x` is written as it is (`%j`, `%e`, `%D`). The
 * time argument is a number only (Go's int64 of it). fengari's C-like strftime wrote `Sun`,
 * `Thu Jan  1 00:00:00 1970`, `11/14/23` and the day of the year. The zone name (`%Z`, `%c`) is
 * UTC's or ICU's short name (go-time-string.ts), where Go reads the zoneinfo abbreviation.
 * os.difftime subtracts Go's int64 of two numbers (10.9, 1.5: 9; a string fails). os.time of a
 * table is gopher-lua's too: a missing field is no error (hour 12, min and sec 0,
 * day, month and year -1, Go's time.Date normalizing them), a string field is read as a number.
 */
import type { LuaState } from 'fengari'
import { LONG_DAYS, LONG_MONTHS } from '../go-time.ts'
import { goZoneAbbreviation } from '../go-time-string.ts'
import type { LuaEngine } from './lua-engine.ts'
import { gopherParseNumber } from './lua-go-parse.ts'
import { gopherArgs, latin1 } from './lua-gopher-args.ts'

interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  weekday: number
  offsetMinutes: number
  zone: string
}

function wallClock(seconds: number, utc: boolean): WallClock {
  const d = new Date(seconds * 1000)
  if (utc)
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
      offsetMinutes: 0,
      zone: 'UTC',
    }
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
    weekday: d.getDay(),
    offsetMinutes: -d.getTimezoneOffset(),
    zone: goZoneAbbreviation(d),
  }
}

const two = (n: number) => String(n).padStart(2, '0')

/** Go's time.Format of the layouts in gopher-lua's cDateFlagToGo, keyed by the strftime letter. */
const LAYOUTS: Record<string, (t: WallClock) => string> = {
  a: () => 'mon',
  A: (t) => LONG_DAYS[t.weekday] as string,
  b: (t) => (LONG_MONTHS[t.month - 1] as string).slice(0, 3),
  B: (t) => LONG_MONTHS[t.month - 1] as string,
  c: (t) =>
    `${two(t.day)} ${(LONG_MONTHS[t.month - 1] as string).slice(0, 3)} ${two(t.year % 100)} ${two(t.hour)}:${two(t.minute)} ${t.zone}`,
  d: (t) => two(t.day),
  F: (t) => `${String(t.year).padStart(4, '0')}-${two(t.month)}-${two(t.day)}`,
  H: (t) => two(t.hour),
  I: (t) => two(t.hour % 12 === 0 ? 12 : t.hour % 12),
  m: (t) => two(t.month),
  M: (t) => two(t.minute),
  p: (t) => (t.hour >= 12 ? 'PM' : 'AM'),
  P: (t) => (t.hour >= 12 ? 'pm' : 'am'),
  S: (t) => two(t.second),
  x: (t) => `${two(t.hour)}/${two(t.minute)}/${two(t.second)}`,
  X: (t) => `${two(t.hour)}:${two(t.minute)}:${two(t.second)}`,
  y: (t) => two(t.year % 100),
  Y: (t) => String(t.year).padStart(4, '0'),
  z: (t) => {
    const abs = Math.abs(t.offsetMinutes)
    return `${t.offsetMinutes < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}${two(abs % 60)}`
  },
  Z: (t) => t.zone,
  w: (t) => String(t.weekday),
}

/** gopher-lua's strftime over the format's bytes (one character per byte). */
export function gopherStrftime(t: WallClock, format: string): string {
  let out = ''
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string
    if (c !== '%' || i === format.length - 1) out += c
    else if (format[i + 1] === '%') {
      out += '%'
      i++
    } else {
      const flag = format[i + 1] as string
      const layout = LAYOUTS[flag]
      out += layout ? Buffer.from(layout(t), 'utf8').toString('latin1') : `%${flag}`
      i++
    }
  }
  return out
}

export function gopherDate(e: Pick<LuaEngine, 'f' | 's'>) {
  const { lua } = e.f
  const { checkString, fail, typeName } = gopherArgs(e.f)
  return (state: LuaState): number => {
    const top = lua.lua_gettop(state)
    let format = '%c'
    let utc = false
    let seconds = Math.floor(Date.now() / 1000)
    if (top >= 1) {
      format = latin1(checkString(state, 1, 'date'))
      if (format.startsWith('!')) {
        format = format.replace(/^!+/, '')
        utc = true
      }
      if (top >= 2) {
        if (lua.lua_type(state, 2) !== lua.LUA_TNUMBER)
          fail(state, `bad argument #2 to date (number expected, got ${typeName(state, 2)})`)
        seconds = Math.trunc(lua.lua_tonumber(state, 2))
      }
      if (format.startsWith('*t')) {
        const t = wallClock(seconds, utc)
        lua.lua_createtable(state, 0, 9)
        const field = (name: string, value: number | boolean) => {
          if (typeof value === 'boolean') lua.lua_pushboolean(state, value)
          else lua.lua_pushnumber(state, value)
          lua.lua_setfield(state, -2, e.s(name))
        }
        field('year', t.year)
        field('month', t.month)
        field('day', t.day)
        field('hour', t.hour)
        field('min', t.minute)
        field('sec', t.second)
        field('wday', t.weekday + 1)
        field('yday', 0)
        field('isdst', false)
        return 1
      }
    }
    lua.lua_pushstring(state, Buffer.from(gopherStrftime(wallClock(seconds, utc), format), 'latin1'))
    return 1
  }
}

/** gopher-lua's getIntField: a number truncated, a string read as a number (leading zeros dropped), else `fallback`. */
function intField(text: string, fallback: number): number {
  let s = text.replace(/^ +/, '')
  if (s.startsWith('0') && !/^0[xX]/.test(s)) {
    s = s.replace(/^0+/, '')
    if (s === '') return 0
  }
  const n = gopherParseNumber(s)
  return n === undefined ? fallback : Math.trunc(n)
}

export function gopherTime(e: Pick<LuaEngine, 'f' | 's'>) {
  const { lua } = e.f
  const { fail, typeName } = gopherArgs(e.f)
  return (state: LuaState): number => {
    const type = lua.lua_type(state, 1)
    if (type <= lua.LUA_TNIL) {
      lua.lua_pushnumber(state, Math.floor(Date.now() / 1000))
      return 1
    }
    if (type !== lua.LUA_TTABLE)
      fail(state, `bad argument #1 to time (table expected, got ${typeName(state, 1)})`)
    const field = (name: string, fallback: number): number => {
      lua.lua_pushstring(state, e.s(name))
      const kind = lua.lua_rawget(state, 1)
      const value =
        kind === lua.LUA_TNUMBER
          ? Math.trunc(lua.lua_tonumber(state, -1))
          : kind === lua.LUA_TSTRING
            ? intField(latin1(lua.lua_tostring(state, -1)), fallback)
            : fallback
      lua.lua_pop(state, 1)
      return value
    }
    // Go's time.Date(year, month, day, hour, min, sec, 0, time.Local): out-of-range values carry over.
    const date = new Date(0)
    date.setFullYear(field('year', -1), field('month', -1) - 1, field('day', -1))
    date.setHours(field('hour', 12), field('min', 0), field('sec', 0), 0)
    lua.lua_pushnumber(state, Math.floor(date.getTime() / 1000))
    return 1
  }
}

/** gopher-lua's os.difftime: both arguments numbers (a string fails), each truncated as Go's int64. */
export function gopherDifftime(e: Pick<LuaEngine, 'f' | 's'>) {
  const { lua } = e.f
  const { fail, typeName } = gopherArgs(e.f)
  return (state: LuaState): number => {
    const seconds = (n: number) => {
      if (lua.lua_type(state, n) !== lua.LUA_TNUMBER)
        fail(state, `bad argument #${n} to difftime (number expected, got ${typeName(state, n)})`)
      return Math.trunc(lua.lua_tonumber(state, n))
    }
    const t1 = seconds(1)
    lua.lua_pushnumber(state, t1 - seconds(2))
    return 1
  }
}
