// gofeed's ParseText (internal/shared/parseutils.go) over an element's raw inner XML: child elements
// stay as written, the whole is trimmed of Unicode white space, then CDATA sections are unwrapped
// (StripCDATA: text before a section is dropped, and after the second one its running offset
// overshoots) or, without CDATA, `&...;` references decoded one by one as html.UnescapeString does.
import { HTML_ENTITIES } from './html-entities.ts'

const CDATA_START = '<![CDATA['
const CDATA_END = ']]>'
const GO_SPACE =
  '\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'

/** Go's strings.TrimSpace: Unicode White_Space, not JavaScript's set (which adds U+FEFF, lacks U+0085). */
function trimGoSpace(s: string): string {
  let start = 0
  let end = s.length
  while (start < end && GO_SPACE.includes(s[start] as string)) start += 1
  while (end > start && GO_SPACE.includes(s[end - 1] as string)) end -= 1
  return s.slice(start, end)
}

const NAMED = new Map<string, string>([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ...HTML_ENTITIES,
])

/** html.UnescapeString's reading of the references 0x80-0x9F: Windows-1252's characters. */
const WINDOWS_1252 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178'

/** One `&...;` reference as html.UnescapeString reads it; an unknown one stays as written. */
function unescapeReference(ref: string): string {
  const body = ref.slice(1, -1)
  if (body.startsWith('#')) {
    const hex = body[1] === 'x' || body[1] === 'X'
    const digits = body.slice(hex ? 2 : 1)
    if (digits === '' || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return ref
    const code = Number.parseInt(digits, hex ? 16 : 10)
    if (code >= 0x80 && code <= 0x9f) return WINDOWS_1252[code - 0x80] as string
    const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
    return valid ? String.fromCodePoint(code) : '\ufffd'
  }
  return NAMED.get(body) ?? ref
}

/** gofeed's DecodeEntities: an `&` with no `;` after it, or a space before the `;`, leaves the rest as written. */
function decodeEntities(s: string): string {
  let out = ''
  let i = 0
  for (;;) {
    const amp = s.indexOf('&', i)
    if (amp === -1) return out + s.slice(i)
    out += s.slice(i, amp)
    const semi = s.indexOf(';', amp)
    if (semi === -1 || s.slice(amp + 1, semi).includes(' ')) return out + s.slice(amp)
    out += unescapeReference(s.slice(amp, semi + 1))
    i = semi + 1
  }
}

/** gofeed's StripCDATA, its offset arithmetic included. */
function stripCdata(s: string): string {
  let out = ''
  let curr = 0
  while (curr < s.length) {
    const start = s.indexOf(CDATA_START, curr)
    if (start === -1) return out + decodeEntities(s.slice(curr))
    const end = s.indexOf(CDATA_END, start)
    if (end === -1) return out + decodeEntities(s.slice(curr))
    out += s.slice(start + CDATA_START.length, end)
    curr = curr + end + CDATA_END.length
  }
  return out
}

/** The text gofeed's ParseText gives for an element whose raw inner XML is `raw`. */
export function feedText(raw: string): string {
  const trimmed = trimGoSpace(raw)
  return trimmed.includes(CDATA_START) ? stripCdata(trimmed) : decodeEntities(trimmed)
}
