import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileGoRegExp } from '../../../src/gateway/components/go-regexp.ts'
import { mustConfig } from '../helpers.ts'

// Go's regexp reads the end of a class range as one character: `\p{..}` or `\P{..}` there is
// "invalid escape sequence", and KrakenD's bot detector then runs no detector at all. Expanded into
// Go's members, `[ -\p{Ll}]` would read as a valid range (' ' to 'a', then the rest) here.
test("a class range ending in \\p or \\P is refused with Go's error", () => {
  for (const [pattern, letter] of [
    ['[ -\\p{Ll}]', 'p'],
    ['[^ -\\p{Ll}]', 'p'],
    ['[\\x00-\\pL]', 'p'],
    ['x[!-\\P{Lu}]', 'P'],
  ] as const)
    assert.throws(
      () => compileGoRegExp(pattern),
      (error: Error) => error.message === `error parsing regexp: invalid escape sequence: \`\\${letter}\``,
      pattern,
    )
})

test('a class after a class or a character stays valid: the "-" between them is a literal', () => {
  const re = compileGoRegExp('[\\d-\\p{Ll}]')
  assert.equal(re.test('-'), true)
  assert.equal(re.test('5'), true)
  assert.equal(re.test('A'), false)
})

test('a bot detector pattern with such a range is refused, not run', () => {
  assert.throws(
    () =>
      mustConfig({
        version: 3,
        extra_config: { 'security/bot-detector': { patterns: ['[ -\\p{Ll}]'] } },
        endpoints: [{ endpoint: '/x', backend: [{ host: ['http://127.0.0.1:8080'], url_pattern: '/' }] }],
      }),
    /invalid escape sequence/,
  )
})
