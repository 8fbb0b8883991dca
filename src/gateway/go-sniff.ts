// Go's http.DetectContentType (net/http/sniff.go): the Content-Type Go's server gives an answer
// whose handler set none, from the first 512 bytes of its body.

/** How many bytes Go looks at. */
export const SNIFF_LEN = 512

const isWhitespace = (b: number) => b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20
const latin1 = (text: string) => Buffer.from(text, 'latin1')

type Signature = (data: Buffer, firstNonWs: number) => string | undefined

const exact =
  (sig: string, type: string): Signature =>
  (data) =>
    data.subarray(0, sig.length).equals(latin1(sig)) ? type : undefined

const masked =
  (mask: string, pattern: string, type: string, skipWs = false): Signature =>
  (data, firstNonWs) => {
    const from = skipWs ? firstNonWs : 0
    if (data.length - from < pattern.length) return undefined
    for (let i = 0; i < pattern.length; i += 1)
      if (((data[from + i] as number) & mask.charCodeAt(i)) !== pattern.charCodeAt(i)) return undefined
    return type
  }

const html =
  (tag: string): Signature =>
  (data, firstNonWs) => {
    const at = data.subarray(firstNonWs)
    if (at.length < tag.length + 1) return undefined
    for (let i = 0; i < tag.length; i += 1) {
      const t = tag.charCodeAt(i)
      const b = t >= 0x41 && t <= 0x5a ? (at[i] as number) & 0xdf : (at[i] as number)
      if (b !== t) return undefined
    }
    const end = at[tag.length]
    return end === 0x20 || end === 0x3e ? 'text/html; charset=utf-8' : undefined
  }

const mp4: Signature = (data) => {
  if (data.length < 12) return undefined
  const boxSize = data.readUInt32BE(0)
  if (data.length < boxSize || boxSize % 4 !== 0) return undefined
  if (data.toString('latin1', 4, 8) !== 'ftyp') return undefined
  for (let at = 8; at < boxSize; at += 4) {
    if (at === 12) continue
    if (data.toString('latin1', at, at + 3) === 'mp4') return 'video/mp4'
  }
  return undefined
}

const text: Signature = (data, firstNonWs) => {
  for (let i = firstNonWs; i < data.length; i += 1) {
    const b = data[i] as number
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return undefined
  }
  return 'text/plain; charset=utf-8'
}

const FF4_0000 = '\xFF\xFF\xFF\xFF\x00\x00\x00\x00'
const SIGNATURES: Signature[] = [
  ...[
    '<!DOCTYPE HTML',
    '<HTML',
    '<HEAD',
    '<SCRIPT',
    '<IFRAME',
    '<H1',
    '<DIV',
    '<FONT',
    '<TABLE',
    '<A',
    '<STYLE',
  ]
    .concat(['<TITLE', '<B', '<BODY', '<BR', '<P', '<!--'])
    .map(html),
  masked('\xFF\xFF\xFF\xFF\xFF', '<?xml', 'text/xml; charset=utf-8', true),
  exact('%PDF-', 'application/pdf'),
  exact('%!PS-Adobe-', 'application/postscript'),
  masked('\xFF\xFF\x00\x00', '\xFE\xFF\x00\x00', 'text/plain; charset=utf-16be'),
  masked('\xFF\xFF\x00\x00', '\xFF\xFE\x00\x00', 'text/plain; charset=utf-16le'),
  masked('\xFF\xFF\xFF\x00', '\xEF\xBB\xBF\x00', 'text/plain; charset=utf-8'),
  exact('\x00\x00\x01\x00', 'image/x-icon'),
  exact('\x00\x00\x02\x00', 'image/x-icon'),
  exact('BM', 'image/bmp'),
  exact('GIF87a', 'image/gif'),
  exact('GIF89a', 'image/gif'),
  masked(`${FF4_0000}\xFF\xFF\xFF\xFF\xFF\xFF`, 'RIFF\x00\x00\x00\x00WEBPVP', 'image/webp'),
  exact('\x89PNG\x0D\x0A\x1A\x0A', 'image/png'),
  exact('\xFF\xD8\xFF', 'image/jpeg'),
  masked(`${FF4_0000}\xFF\xFF\xFF\xFF`, 'FORM\x00\x00\x00\x00AIFF', 'audio/aiff'),
  masked('\xFF\xFF\xFF', 'ID3', 'audio/mpeg'),
  masked('\xFF\xFF\xFF\xFF\xFF', 'OggS\x00', 'application/ogg'),
  masked('\xFF'.repeat(8), 'MThd\x00\x00\x00\x06', 'audio/midi'),
  masked(`${FF4_0000}\xFF\xFF\xFF\xFF`, 'RIFF\x00\x00\x00\x00AVI ', 'video/avi'),
  masked(`${FF4_0000}\xFF\xFF\xFF\xFF`, 'RIFF\x00\x00\x00\x00WAVE', 'audio/wave'),
  mp4,
  exact('\x1A\x45\xDF\xA3', 'video/webm'),
  masked(`${'\x00'.repeat(34)}\xFF\xFF`, `${'\x00'.repeat(34)}LP`, 'application/vnd.ms-fontobject'),
  exact('\x00\x01\x00\x00', 'font/ttf'),
  exact('OTTO', 'font/otf'),
  exact('ttcf', 'font/collection'),
  exact('wOFF', 'font/woff'),
  exact('wOF2', 'font/woff2'),
  exact('\x1F\x8B\x08', 'application/x-gzip'),
  exact('PK\x03\x04', 'application/zip'),
  exact('Rar!\x1A\x07\x00', 'application/x-rar-compressed'),
  exact('Rar!\x1A\x07\x01\x00', 'application/x-rar-compressed'),
  exact('\x00\x61\x73\x6D', 'application/wasm'),
  text,
]

/** The Content-Type Go's http.DetectContentType gives `bytes`. */
export function detectContentType(bytes: Buffer): string {
  const data = bytes.subarray(0, SNIFF_LEN)
  let firstNonWs = 0
  while (firstNonWs < data.length && isWhitespace(data[firstNonWs] as number)) firstNonWs += 1
  for (const signature of SIGNATURES) {
    const type = signature(data, firstNonWs)
    if (type !== undefined) return type
  }
  return 'application/octet-stream'
}
