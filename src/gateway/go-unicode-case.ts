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

/**
 * unicode.SimpleFold's special orbits (Go 1.25's caseOrbit and asciiFold where they differ from
 * the rune's other case): k → K (Kelvin sign) → k, s → ſ → S → s, σ → ς → Σ → σ, ...
 */
const FOLD_ORBITS = new Map<number, number>([
  [0x6b, 0x212a],
  [0x73, 0x17f],
  [0xdf, 0x1e9e],
  [0xe5, 0x212b],
  [0x130, 0x130],
  [0x131, 0x131],
  [0x1c4, 0x1c5],
  [0x1c7, 0x1c8],
  [0x1ca, 0x1cb],
  [0x1f1, 0x1f2],
  [0x3a3, 0x3c2],
  [0x3b2, 0x3d0],
  [0x3b5, 0x3f5],
  [0x3b8, 0x3d1],
  [0x3b9, 0x1fbe],
  [0x3ba, 0x3f0],
  [0x3bc, 0xb5],
  [0x3c0, 0x3d6],
  [0x3c1, 0x3f1],
  [0x3c2, 0x3c3],
  [0x3c6, 0x3d5],
  [0x3c9, 0x2126],
  [0x3d1, 0x3f4],
  [0x3f4, 0x398],
  [0x432, 0x1c80],
  [0x434, 0x1c81],
  [0x43e, 0x1c82],
  [0x441, 0x1c83],
  [0x442, 0x1c84],
  [0x44a, 0x1c86],
  [0x463, 0x1c87],
  [0x1c84, 0x1c85],
  [0x1e61, 0x1e9b],
  [0x1fbe, 0x345],
  [0x2126, 0x3a9],
  [0x212a, 0x4b],
  [0x212b, 0xc5],
  [0xa64b, 0x1c88],
])

/** unicode.SimpleFold: the next rune of `cp`'s case-folding orbit (itself when it has none). */
export function goSimpleFold(cp: number): number {
  const orbit = FOLD_ORBITS.get(cp)
  if (orbit !== undefined) return orbit
  if (cp >= 0xd800 && cp <= 0xdfff) return cp
  const rune = String.fromCodePoint(cp)
  const lower = goLowerRune(rune)
  return (lower !== rune ? lower : goUpperRune(rune)).codePointAt(0) as number
}

/** Whether strings.EqualFold takes two runes as one under simple case folding. */
export function goFoldEqual(a: number, b: number): boolean {
  if (a === b) return true
  const [lo, hi] = a < b ? [a, b] : [b, a]
  if (hi < 0x80) return lo >= 0x41 && lo <= 0x5a && hi === lo + 32
  // Go walks lo's orbit upward from lo until it reaches hi or wraps around.
  let r = goSimpleFold(lo)
  while (r !== lo && r < hi) r = goSimpleFold(r)
  return r === hi
}
