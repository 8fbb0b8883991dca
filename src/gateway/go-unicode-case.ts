/**
 * Go's unicode.ToUpper, ToLower and ToTitle, and strings.ToUpper, ToLower and ToTitle made of them.
 * Go maps each rune to one rune by UnicodeData's simple mapping, of Unicode 15.0 (Go 1.25, which
 * KrakenD 2.13.8 is built with). JavaScript's toUpperCase/toLowerCase apply the full mapping (ß
 * becomes SS, İ i̇) and Node 24 knows Unicode 16: a rune JavaScript maps to several keeps its
 * simple mapping or itself, a letter whose other case came with Unicode 16 stays as it is. Checked
 * against Go 1.25.12's tables for every code point.
 */

/** The Greek letters with ypogegrammeni: JavaScript gives two runes, Go its one-rune capital. */
function ypogegrammeniUpper(cp: number): number | undefined {
  if ((cp >= 0x1f80 && cp <= 0x1f87) || (cp >= 0x1f90 && cp <= 0x1f97) || (cp >= 0x1fa0 && cp <= 0x1fa7))
    return cp + 8
  if (cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) return cp + 9
  return undefined
}

/** Small letters whose capital Unicode 16 added (Go has none for them). */
function capitalAfterUnicode15(cp: number): boolean {
  return (
    cp === 0x19b ||
    cp === 0x264 ||
    cp === 0x1c8a ||
    cp === 0xa7cd ||
    cp === 0xa7cf ||
    cp === 0xa7d3 ||
    cp === 0xa7d5 ||
    cp === 0xa7db ||
    (cp >= 0x10d70 && cp <= 0x10d85) ||
    (cp >= 0x16ebb && cp <= 0x16ed3)
  )
}

/** Capitals whose small letter Unicode 16 added (Go has none for them). */
function smallAfterUnicode15(cp: number): boolean {
  return (
    cp === 0x1c89 ||
    cp === 0xa7cb ||
    cp === 0xa7cc ||
    cp === 0xa7ce ||
    cp === 0xa7d2 ||
    cp === 0xa7d4 ||
    cp === 0xa7da ||
    cp === 0xa7dc ||
    (cp >= 0x10d50 && cp <= 0x10d65) ||
    (cp >= 0x16ea0 && cp <= 0x16eb8)
  )
}

/** unicode.ToLower of one rune (given as its string): İ is i, where JavaScript gives i and a dot. */
export function goLowerRune(rune: string): string {
  const cp = rune.codePointAt(0) as number
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? String.fromCharCode(cp + 32) : rune
  if (cp === 0x130) return 'i'
  if (smallAfterUnicode15(cp)) return rune
  const lower = rune.toLowerCase()
  return lower.length === rune.length || [...lower].length === 1 ? lower : rune
}

/** unicode.ToUpper of one rune (given as its string). */
export function goUpperRune(rune: string): string {
  const cp = rune.codePointAt(0) as number
  if (cp < 0x80) return cp >= 0x61 && cp <= 0x7a ? String.fromCharCode(cp - 32) : rune
  const greek = ypogegrammeniUpper(cp)
  if (greek !== undefined) return String.fromCodePoint(greek)
  if (capitalAfterUnicode15(cp)) return rune
  const upper = rune.toUpperCase()
  return upper.length === rune.length || [...upper].length === 1 ? upper : rune
}

/**
 * unicode.ToTitle of one rune: its capital, but for the Latin digraphs (DŽ, dž and Dž all become Dž)
 * and the Georgian Mkhedruli letters, which Unicode gives no title case other than themselves.
 */
export function goTitleRune(rune: string): string {
  const cp = rune.codePointAt(0) as number
  if (cp >= 0x1c4 && cp <= 0x1cc) return String.fromCharCode(0x1c5 + 3 * Math.floor((cp - 0x1c4) / 3))
  if (cp >= 0x1f1 && cp <= 0x1f3) return '\u01f2'
  if ((cp >= 0x10d0 && cp <= 0x10fa) || (cp >= 0x10fd && cp <= 0x10ff)) return rune
  return goUpperRune(rune)
}

const ASCII = /^[\0-\x7f]*$/

/** strings.ToLower (a final sigma too is σ: Go reads no context). */
export function goToLower(s: string): string {
  if (ASCII.test(s)) return s.toLowerCase()
  let out = ''
  for (const rune of s) out += goLowerRune(rune)
  return out
}

/** strings.ToUpper. */
export function goToUpper(s: string): string {
  if (ASCII.test(s)) return s.toUpperCase()
  let out = ''
  for (const rune of s) out += goUpperRune(rune)
  return out
}

/** strings.ToTitle: what lura applies to the endpoint's and the backend's methods. */
export function goToTitle(s: string): string {
  if (ASCII.test(s)) return s.toUpperCase()
  let out = ''
  for (const rune of s) out += goTitleRune(rune)
  return out
}
