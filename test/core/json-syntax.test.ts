/**
 * A gateway config JSON.parse refuses is reported at the line and column of the error, also when
 * V8 gives no position (an unexpected token, a BOM): before, those landed on the file's last line.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseSourceDocument } from '../../src/core/document.ts'
import { GwError } from '../../src/core/errors.ts'
import { jsonSyntaxErrorOffset } from '../../src/core/json-syntax.ts'

function problemOf(text: string, file = 'gateway.json') {
  try {
    parseSourceDocument(text, file)
  } catch (error) {
    assert.ok(error instanceof GwError, String(error))
    assert.equal(error.exitCode, 2)
    const [problem] = error.problems
    assert.ok(problem)
    return { ...problem.location, message: problem.message, hint: problem.hint, errorHint: error.hint }
  }
  assert.fail(`${JSON.stringify(text)} parsed`)
}

const at = (text: string, file = 'gateway.json') => {
  const { line, column, message } = problemOf(text, file)
  return { line, column, message }
}

test('an unexpected token is located where it is, with V8 snippet of the text left out', () => {
  assert.deepEqual(at('{\n  "version": 3,\n  "name": x,\n  "endpoints": []\n}\n'), {
    line: 3,
    column: 11,
    message: "Unexpected token 'x'",
  })
})

test('CRLF line endings and tabs count as in an editor', () => {
  assert.deepEqual(at('{\r\n  "version": 3,\r\n  "name": x,\r\n  "endpoints": []\r\n}\r\n'), {
    line: 3,
    column: 11,
    message: "Unexpected token 'x'",
  })
  assert.deepEqual(at('{\n\t"version": 3,\n\t"name": tru,\n\t"endpoints": []\n}\n'), {
    line: 3,
    column: 13,
    message: "Unexpected token ','",
  })
})

test('a multibyte character before the error does not shift the column', () => {
  assert.deepEqual(at('{\n  "version": 3,\n  "name": "héllo", x\n}\n'), {
    line: 3,
    column: 20,
    message: 'Expected double-quoted property name',
  })
  assert.deepEqual(at('{"name": "é", "v": ]}'), { line: 1, column: 20, message: "Unexpected token ']'" })
})

test('a BOM is refused at 1:1 saying what it is, as a comment still is at its line', () => {
  const problem = problemOf('\uFEFF{\n  "version": 3,\n  "endpoints": []\n}\n')
  assert.equal(problem.line, 1)
  assert.equal(problem.column, 1)
  assert.match(problem.message, /byte order mark/)
  assert.match(problem.hint ?? '', /without a BOM/)
  const comment = problemOf('{\n  "version": 3,\n  // a comment\n  "endpoints": []\n}\n')
  assert.deepEqual([comment.line, comment.column], [3, 3])
  assert.match(comment.message, /comments are not allowed/)
})

test('the end of the input is where the text ends, not the empty line after it', () => {
  assert.deepEqual(at('{\n  "version": 3,\n  "endpoints": [\n\n'), {
    line: 3,
    column: 17,
    message: 'Unexpected end of JSON input',
  })
  assert.deepEqual(at('{\n  "version": 3\n}\n}\n'), {
    line: 4,
    column: 1,
    message: 'Unexpected non-whitespace character after JSON',
  })
})

test('a rendered flexible-config template is parsed as JSON (as KrakenD does), not as YAML', () => {
  const problem = problemOf('{\n  "version": 3,\n  "name": x\n}\n', 'gateway.json (rendered)')
  assert.deepEqual([problem.file, problem.line, problem.column], ['gateway.json (rendered)', 3, 11])
  assert.match(problem.errorHint ?? '', /rendered template/)
})

test('the scanner finds the first offset that breaks the grammar, and none in valid JSON', () => {
  for (const [text, offset] of [
    ['{"a": [1, 2,]}', 12],
    ['{"a": "\\x"}', 8],
    ['{"a": "\\u12G4"}', 11],
    ['{"a": 01}', 7],
    ['{"a": -}', 7],
    ['{"a": 1.}', 8],
    ['{"a": 1e}', 8],
    ['{"a" 1}', 5],
    ['[nul]', 4],
    ['{"a": "x', 8],
    ['', 0],
  ] as const) {
    assert.equal(jsonSyntaxErrorOffset(text), offset, text)
  }
  for (const text of ['{"a": [1, -2.5e+3, true, false, null, "\\u00e9\\n"], "b": {}}', ' [] ', '"x"'])
    assert.equal(jsonSyntaxErrorOffset(text), undefined, text)
})
