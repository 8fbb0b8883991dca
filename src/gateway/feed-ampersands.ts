// gofeed reads feeds with encoding/xml in non-strict mode (goxpp's NewXMLPullParser(r, false, ...)):
// an `&` that starts no reference it knows — `x & y`, `&amp` without `;`, `AT&T`, `&#X41;` — is
// text as written. fast-xml-parser's validator refuses such an `&`, so before parsing each one is
// written as a marker reference the parser leaves alone, and the marker is read back as `&`.

/** The marker: a reference name the validator accepts and no feed uses. */
const MARKER_NAME = 'gwdeployBareAmp'
export const BARE_AMPERSAND = `&${MARKER_NAME};`

/** An `&` both readers take as a reference: a name of word characters or a decimal / lower-x hex number. */
const REFERENCE = /^(?:\w{1,20}|#[0-9]+|#x[0-9a-fA-F]+);/
/** Markup whose `&` is not a reference: comments, CDATA sections, PIs and declarations. */
const OPAQUE = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
  ['<?', '?>'],
  ['<!', '>'],
] as const

const needsMarker = (body: string, at: number) => {
  const after = body.slice(at + 1, at + 23)
  return !REFERENCE.test(after) || after.startsWith(`${MARKER_NAME};`)
}

/** `body` with every `&` that starts no reference written as BARE_AMPERSAND (unchanged when there is none). */
export function markBareAmpersands(body: string): string {
  let out = ''
  let copied = 0
  let i = body.indexOf('&')
  if (i === -1) return body
  i = 0
  while (i < body.length) {
    const lt = body.indexOf('<', i)
    const amp = body.indexOf('&', i)
    if (amp === -1) break
    if (lt !== -1 && lt < amp) {
      const opaque = OPAQUE.find(([open]) => body.startsWith(open, lt))
      if (opaque === undefined) {
        i = lt + 1
        continue
      }
      const end = body.indexOf(opaque[1], lt + opaque[0].length)
      if (end === -1) break
      i = end + opaque[1].length
      continue
    }
    if (needsMarker(body, amp)) {
      out += `${body.slice(copied, amp)}${BARE_AMPERSAND}`
      copied = amp + 1
    }
    i = amp + 1
  }
  return copied === 0 ? body : out + body.slice(copied)
}

/** A parsed value with the markers read back as `&`. */
export const unmarkBareAmpersands = (value: string): string =>
  value.includes(BARE_AMPERSAND) ? value.replaceAll(BARE_AMPERSAND, '&') : value
