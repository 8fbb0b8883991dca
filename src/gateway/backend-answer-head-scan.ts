// The common backend answer head, told apart in one pass: CRLF line ends, `HTTP/1.0` or `HTTP/1.1`,
// a final status, token names, values of visible bytes, spaces, tabs and obs-text, at most one
// plain Content-Length or one `Transfer-Encoding: chunked`. undici's parser reads such a head
// exactly as Go's transport does, so it goes to undici as it came; any other head is read by
// Go's rules first (backend-answer-head.ts).

const TOKEN = new Uint8Array(256)
const VALUE = new Uint8Array(256)
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1
for (let c = 0; c < 256; c += 1) {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) TOKEN[c] = 1
  if (c === 0x09 || (c >= 0x20 && c !== 0x7f)) VALUE[c] = 1
}

const CR = 0x0d
const LF = 0x0a
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39

/**
 * Whether the head in `bytes[0, end)` (end: where its `\r\n\r\n` starts) is one undici reads as
 * Go does (see the file's comment), and whether it says chunked.
 */
export function plainHead(bytes: Buffer, end: number): false | 'plain' | 'chunked' {
  if (end < 12) return false
  if (
    bytes[0] !== 0x48 || // HTTP/1.
    bytes[1] !== 0x54 ||
    bytes[2] !== 0x54 ||
    bytes[3] !== 0x50 ||
    bytes[4] !== 0x2f ||
    bytes[5] !== 0x31 ||
    bytes[6] !== 0x2e ||
    (bytes[7] !== 0x30 && bytes[7] !== 0x31) ||
    bytes[8] !== 0x20
  )
    return false
  const first = bytes[9] as number
  if (first < 0x32 || first > 0x39 || !isDigit(bytes[10]) || !isDigit(bytes[11])) return false
  let i = 12
  if (i < end && bytes[i] !== CR) {
    if (bytes[i] !== 0x20) return false
    i = valueEnd(bytes, i + 1, end)
    if (i === -1) return false
  } else if (i < end && bytes[i + 1] !== LF) return false
  let lengths = 0
  let encodings = 0
  while (i < end) {
    i += 2
    const name = i
    while (i < end && TOKEN[bytes[i] as number] === 1) i += 1
    if (i === name || bytes[i] !== 0x3a) return false
    const nameLength = i - name
    i += 1
    const value = i
    i = valueEnd(bytes, i, end)
    if (i === -1) return false
    if (nameLength === 14 && sameName(bytes, name, 'content-length')) {
      lengths += 1
      if (!isPlainLength(bytes, value, i)) return false
    } else if (nameLength === 17 && sameName(bytes, name, 'transfer-encoding')) {
      encodings += 1
      if (!isChunked(bytes, value, i)) return false
    } else if (nameLength === 7 && sameName(bytes, name, 'trailer')) return false
  }
  if (lengths + encodings > 1 || (encodings === 1 && bytes[7] !== 0x31)) return false
  return encodings === 1 ? 'chunked' : 'plain'
}

/** Where a value's line ends (its CR), or -1 when a byte on it is one Go or undici reads otherwise. */
function valueEnd(bytes: Buffer, from: number, end: number): number {
  let i = from
  while (i < end && VALUE[bytes[i] as number] === 1) i += 1
  if (i === end) return i
  return bytes[i] === CR && bytes[i + 1] === LF ? i : -1
}

/** Case-insensitive: `lower` is lower case letters and `-`. */
function sameName(bytes: Buffer, at: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k += 1)
    if (((bytes[at + k] as number) | 0x20) !== lower.charCodeAt(k)) return false
  return true
}

/** Leading spaces, then 1 to 15 digits, nothing after. */
function isPlainLength(bytes: Buffer, from: number, to: number): boolean {
  let i = from
  while (i < to && (bytes[i] === 0x20 || bytes[i] === 0x09)) i += 1
  const digits = to - i
  if (digits < 1 || digits > 15) return false
  for (; i < to; i += 1) if (!isDigit(bytes[i])) return false
  return true
}

/** Leading spaces, then `chunked` in any case, nothing after. */
function isChunked(bytes: Buffer, from: number, to: number): boolean {
  let i = from
  while (i < to && (bytes[i] === 0x20 || bytes[i] === 0x09)) i += 1
  return to - i === 7 && sameName(bytes, i, 'chunked')
}
