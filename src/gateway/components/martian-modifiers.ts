// What a martian modifier's own fields make of it, as Go's json.Unmarshal reads them: the step of
// a plain modifier, the condition of a filter. Types, scopes and the modifiers nested in groups and
// filters are martian-tree.ts's.

import type { KeyPath } from '../../core/source-text.ts'
import { cookiePair, type GoCookie, setCookieLine, validCookieName } from '../go-cookie.ts'
import { goParseRfc3339 } from '../go-time.ts'
import { cryptoModule } from '../libraries.ts'
import type { MartianStep } from './martian.ts'
import { checkHost, checkScheme, parsePortChange, stashNameProblem } from './martian-origin-parse.ts'
import type { MartianReader } from './martian-reader.ts'
import { utf8Bytes } from './martian-url.ts'

type FilterType =
  | 'header.Filter'
  | 'querystring.Filter'
  | 'header.RegexFilter'
  | 'url.Filter'
  | 'url.RegexFilter'
  | 'cookie.Filter'
  | 'port.Filter'
/** What a filter compares; its step adds the modifiers run when the message matches and when not. */
type FilterCondition = Pick<
  Extract<MartianStep, { kind: 'filter' }>,
  'on' | 'name' | 'value' | 'scheme' | 'host' | 'port'
>

/** Modifiers that write a name's `value` into the backend request or its answer. */
const WRITES_VALUE = new Set(['header.Modifier', 'header.Append', 'querystring.Modifier', 'cookie.Modifier'])

/**
 * The step of a modifier that holds no other (`response`: it runs on the answer too); undefined
 * after an error that leaves it no step.
 */
export function modifierStep(
  type: string,
  body: Record<string, unknown>,
  here: KeyPath,
  response: boolean,
  read: MartianReader,
): MartianStep | undefined {
  if (WRITES_VALUE.has(type)) read.credential(body, here, type)
  switch (type) {
    case 'header.Modifier':
    case 'header.Append':
      return {
        kind: type === 'header.Modifier' ? 'set' : 'append',
        name: read.writable(body, 'name', here, type, response),
        value: read.value(body, here),
      }
    case 'header.Copy': {
      const from = read.str(body, 'from', here)
      read.readable(from, [...here, 'from'], type, 'remove the modifier, or use image.runtime: krakend')
      return { kind: 'copy', from: from.toLowerCase(), to: read.writable(body, 'to', here, type, response) }
    }
    case 'header.Blacklist': {
      const names = body.names
      if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
        read.fail([...here, 'names'], '"names" must be a list of header names')
        return undefined
      }
      const lower = (names as string[]).map((n) => n.toLowerCase())
      const framing = lower.findIndex(
        (n) => n === 'content-length' || n === 'transfer-encoding' || (response && n === 'content-encoding'),
      )
      if (framing !== -1)
        read.fail(
          [...here, 'names', framing],
          `header.Blacklist cannot remove ${names[framing]}: in Go it changes how the message is framed or decoded`,
          'remove the name, or use image.runtime: krakend',
        )
      return { kind: 'remove', names: lower }
    }
    case 'querystring.Modifier':
      // Go writes the query from the config's UTF-8 bytes (martian-query.ts works on bytes).
      return {
        kind: 'query',
        name: utf8Bytes(read.str(body, 'name', here)),
        value: utf8Bytes(read.str(body, 'value', here)),
      }
    case 'body.Modifier': {
      // Go's json.Unmarshal into []byte: standard base64 with its padding (or null, no body); its
      // decoder skips line breaks.
      const text = read.optional(body, 'body', here)
      const encoded = text.replace(/[\r\n]/g, '')
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(encoded)) {
        read.fail([...here, 'body'], '"body" must be base64 (standard alphabet, with its padding)')
        return undefined
      }
      const decoded = Buffer.from(encoded, 'base64')
      // Unmarshal decodes into make([]byte, DecodedLen(len(text))), line breaks counted: a range
      // martian slices past the bytes but within that capacity reads its zeros.
      const capacity = Buffer.alloc(Math.floor(Buffer.byteLength(text) / 4) * 3)
      decoded.copy(capacity)
      return {
        kind: 'body',
        body: capacity,
        length: decoded.length,
        contentType: read.optional(body, 'contentType', here),
        // martian picks a random multipart boundary when it parses the modifier.
        boundary: cryptoModule().randomBytes(30).toString('hex'),
      }
    }
    case 'cookie.Modifier': {
      const cookie = parseCookie(body, here, read)
      return cookie === undefined
        ? undefined
        : { kind: 'cookie', pair: cookiePair(cookie), setCookie: setCookieLine(cookie) }
    }
    case 'url.Modifier': {
      const scheme = read.optional(body, 'scheme', here)
      checkScheme(scheme, [...here, 'scheme'], read.fail)
      const host = read.optional(body, 'host', here)
      checkHost(host, [...here, 'host'], read.fail)
      if (scheme !== '' || host !== '') read.readsOrigin = true
      const path = read.optional(body, 'path', here)
      if (path !== '' && !path.startsWith('/'))
        read.fail(
          [...here, 'path'],
          `"path" must start with "/": Go would write ${JSON.stringify(path)} as the request target`,
        )
      const query = read.optional(body, 'query', here)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: Go's stringContainsCTLByte
      if (/[\x00-\x20\x7f]/.test(query))
        read.fail(
          [...here, 'query'],
          '"query" is written into the request line as it is: write spaces and control characters percent-encoded',
        )
      return { kind: 'url', scheme, host, path: utf8Bytes(path), query: utf8Bytes(query) }
    }
    case 'port.Modifier': {
      const change = parsePortChange(body, here, read.fail)
      read.readsOrigin = true
      return change === undefined ? undefined : { kind: 'port', change }
    }
    case 'stash.Modifier': {
      const name = read.writable(body, 'headerName', here, type, response)
      const problem = stashNameProblem(name, response)
      if (problem) read.fail([...here, 'headerName'], problem, 'use another header name')
      read.readsOrigin = true
      return { kind: 'stash', name }
    }
    case 'header.Id': {
      // martian's NewIDModifier: X-Krakend-Id when `header` is empty.
      const name =
        read.optional(body, 'header', here) === ''
          ? 'x-krakend-id'
          : read.writable(body, 'header', here, type, false)
      if (name === 'host')
        read.fail(
          [...here, 'header'],
          "header.Id would write Host into the header map, which Go's transport never sends: the ID would reach no backend",
          'use another header name',
        )
      return { kind: 'id', name }
    }
    case 'status.Modifier': {
      const status = body.statusCode ?? 0
      if (!Number.isInteger(status) || (status as number) < 200 || (status as number) > 599)
        read.fail(
          [...here, 'statusCode'],
          '"statusCode" must be a whole number from 200 to 599',
          'KrakenD drops the config for a value that is not a whole number, and Go answers others oddly or not at all',
        )
      return { kind: 'status', status: status as number }
    }
  }
  return undefined
}

/** cookie.Modifier's fields as Go's json.Unmarshal reads them into an http.Cookie. */
function parseCookie(body: Record<string, unknown>, at: KeyPath, read: MartianReader): GoCookie | undefined {
  const text = (key: string) => read.optional(body, key, at)
  const flag = (key: string) => {
    const v = body[key]
    if (v === undefined || v === null) return false
    if (typeof v !== 'boolean') read.fail([...at, key], `"${key}" must be true or false`)
    return v === true
  }
  const name = text('name')
  if (!validCookieName(name))
    read.fail([...at, 'name'], `${JSON.stringify(name)} is not a cookie name Go writes (a non-empty token)`)
  const maxAge = body.maxAge ?? 0
  if (!Number.isSafeInteger(maxAge))
    read.fail([...at, 'maxAge'], '"maxAge" must be a whole number of seconds')
  let expiresMs: number | undefined
  if (body.expires !== undefined && body.expires !== null) {
    const parsed = typeof body.expires === 'string' ? goParseRfc3339(body.expires) : 'not a string'
    if (typeof parsed === 'string')
      read.fail([...at, 'expires'], '"expires" must be an RFC 3339 time (e.g. "2030-01-02T15:04:05Z")')
    else expiresMs = parsed.ms
  }
  const cookie: GoCookie = {
    name,
    value: text('value'),
    path: text('path'),
    domain: text('domain'),
    expiresMs,
    secure: flag('secure'),
    httpOnly: flag('httpOnly'),
    maxAge: maxAge as number,
  }
  return read.ok ? cookie : undefined
}

/** A filter's condition: what it compares, read before the modifiers it runs. */
export function filterCondition(
  type: FilterType,
  body: Record<string, unknown>,
  here: KeyPath,
  read: MartianReader,
): FilterCondition {
  if (type === 'port.Filter')
    return { on: 'port', name: '', value: '', port: portFilterPort(body, here, read) }
  const on = (
    {
      'header.Filter': 'header',
      'querystring.Filter': 'query',
      'header.RegexFilter': 'regex',
      'url.Filter': 'url',
      'url.RegexFilter': 'urlRegex',
      'cookie.Filter': 'cookie',
    } as const
  )[type]
  const scheme = on === 'url' ? read.optional(body, 'scheme', here) : ''
  const host = on === 'url' ? read.optional(body, 'host', here) : ''
  if (scheme !== '' || host !== '' || on === 'urlRegex') read.readsOrigin = true
  const name =
    on === 'url'
      ? utf8Bytes(read.optional(body, 'path', here))
      : on === 'cookie'
        ? read.optional(body, 'name', here)
        : on === 'urlRegex'
          ? ''
          : read.str(body, on === 'regex' ? 'header' : 'name', here)
  // header.RegexFilter reads the header map's Host, which port.Modifier writes (martian-run.ts).
  if (on === 'header' || (on === 'regex' && name.toLowerCase() !== 'host'))
    read.readable(
      name,
      [...here, on === 'regex' ? 'header' : 'name'],
      type,
      'remove the filter, or use image.runtime: krakend',
    )
  const value =
    on === 'regex' || on === 'urlRegex'
      ? read.goRegexp(body, here)
      : on === 'url'
        ? utf8Bytes(read.optional(body, 'query', here))
        : on === 'cookie'
          ? read.optional(body, 'value', here)
          : body.value === undefined
            ? ''
            : read.str(body, 'value', here)
  // Header values and queries are bytes here; Go compares them with the config's UTF-8 bytes.
  return {
    on,
    name: on === 'header' || on === 'regex' ? name.toLowerCase() : on === 'query' ? utf8Bytes(name) : name,
    value: on === 'header' || on === 'query' ? utf8Bytes(value) : value,
    ...(on === 'url' ? { scheme, host } : {}),
  }
}

/**
 * port.Filter's `port` (a Go int; absent or null: 0). A port no URL names (0 with an http or https
 * URL, or outside 1 to 65535) is warned about: the filter's modifiers then never run, in KrakenD too,
 * and on the answer side a host without a port fails the call.
 */
function portFilterPort(body: Record<string, unknown>, here: KeyPath, read: MartianReader): number {
  read.readsOrigin = true
  const port = body.port ?? 0
  if (typeof port !== 'number' || !Number.isSafeInteger(port)) {
    read.fail(
      [...here, 'port'],
      '"port" must be a whole number',
      'KrakenD drops the whole martian config otherwise',
    )
    return 0
  }
  if (port < 1 || port > 65535)
    read.warn(
      [...here, 'port'],
      `port.Filter on port ${port}: no backend URL has it, so its modifiers never run, and on the answer side a backend URL without a port fails every call (in KrakenD too)`,
      'write the port the backend URL names, or 80 / 443 for one that names none',
    )
  return port
}
