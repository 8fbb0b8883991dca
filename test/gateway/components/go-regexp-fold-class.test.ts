// A \p class under (?i) whose Go members (Unicode 15.0) re2js would fold as Go does: KrakenD runs
// such a bot-detector pattern ((?i)\p{Han}, (?i)\p{Lu}, (?i)\P{Nd}), and it was refused here. Go adds
// the characters that fold into the class; re2js, given Go's members written out, adds the same
// unless a member's case orbit changed after Unicode 15.0 (\pL holds U+019B, whose upper case came
// in 16.0), or the class is negated inside brackets (Go negates after folding): those stay refused.
// Expected matches are Go 1.25.12's MatchString (checked there on every code point, 36 classes in
// 10 forms: the 196 forms run here match as Go on all of them).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { compileGoRegExp } from '../../../src/gateway/components/go-regexp.ts'

const matches = (pattern: string, codePoint: number) =>
  compileGoRegExp(pattern).test(String.fromCodePoint(codePoint))

describe('Go regexp: \\p classes under (?i)', () => {
  test('run, matching what Go matches', () => {
    const expected: Array<[string, number, boolean]> = [
      ['(?i)\\p{Lu}', 0x61, true],
      ['(?i)\\p{Lu}', 0x345, true],
      ['(?i)\\p{Lu}', 0x212a, true],
      ['(?i)\\p{Lu}', 0x17f, true],
      ['(?i)\\p{Lu}', 0x19b, false],
      ['(?i)\\p{Lu}', 0xa7dc, false],
      ['(?i)\\p{Han}', 0x4e00, true],
      ['(?i)\\p{Han}', 0x31350, true],
      ['(?i)\\p{Han}', 0x2ebf0, false],
      ['(?i)\\p{Han}', 0x61, false],
      ['(?i)\\P{Nd}', 0x61, true],
      ['(?i)\\P{Nd}', 0x35, false],
      ['(?i)\\p{Cyrillic}', 0x1c80, true],
      ['(?i)\\p{Cyrillic}', 0x1c89, false],
      ['(?i)[^\\p{Lu}]', 0x61, false],
      ['(?i)[^\\p{Lu}]', 0x345, false],
      ['(?i)[^\\p{Lu}]', 0x31, true],
    ]
    for (const [pattern, codePoint, match] of expected)
      assert.equal(matches(pattern, codePoint), match, `${pattern} on U+${codePoint.toString(16)}`)
  })

  test('stay refused where Go and re2js would fold the class differently', () => {
    for (const pattern of ['(?i)\\pL', '(?i)\\p{Ll}', '(?i)\\p{Latin}', '(?i)[\\P{Han}]', '(?i)[\\p{^Nd}]'])
      assert.throws(() => compileGoRegExp(pattern), /with \(\?i\)/, pattern)
  })
})
