/**
 * Go's strings.ToLower: unicode.ToLower per rune, where JavaScript lowers U+0130 (İ) to two code
 * points and Go to `i` (and lowers a final sigma by its context, Go never). Plain ASCII as is.
 */
export function goToLower(s: string): string {
  if (!/[^ -~]/.test(s)) return s.toLowerCase()
  let out = ''
  for (const c of s) out += c === '\u0130' ? 'i' : c.toLowerCase()
  return out
}
