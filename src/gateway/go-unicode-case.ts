/**
 * Go's unicode.ToUpper and unicode.ToTitle, and strings.ToUpper and strings.ToTitle made of them.
 * Go maps each rune to one rune by UnicodeData's simple mapping, of Unicode 15.0 (Go 1.25, which
 * KrakenD 2.13.8 is built with). JavaScript's toUpperCase applies the full mapping (ß becomes SS)
 * and Node 24 knows Unicode 16: a rune JavaScript maps to several keeps its simple mapping or
 * itself, a letter whose capital came with Unicode 16 stays as it is.
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
