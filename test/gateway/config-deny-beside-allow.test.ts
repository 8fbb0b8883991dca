// lura applies a backend's `allow` alone when `deny` is set too (NewEntityFormatter). A deny path the
// allow list keeps (the same field, one inside an allowed field, or one over an allowed field) would
// reach the client though the operator listed it for removal: refused at that item; a deny path
// outside every allowed field is dropped by allow anyway: a warning.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'

function problems(backend: Record<string, unknown>) {
  const result = validateGatewayConfig({
    version: 3,
    name: 't',
    host: ['http://b'],
    endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/', ...backend }] }],
  })
  const at = (list: typeof result.errors) =>
    list.filter((p) => /"deny"/.test(p.message)).map((p) => [p.location?.path, p.hint !== undefined])
  return { errors: at(result.errors), warnings: at(result.warnings) }
}

test('a deny path the allow list keeps is refused at its item, with a hint', () => {
  const { errors, warnings } = problems({
    allow: ['id', 'user', 'meta.tags'],
    deny: ['id', 'user.password', 'meta', 'other.x'],
  })
  assert.deepEqual(errors, [
    ['endpoints[0].backend[0].deny[0]', true],
    ['endpoints[0].backend[0].deny[1]', true],
    ['endpoints[0].backend[0].deny[2]', true],
  ])
  assert.deepEqual(warnings, [['endpoints[0].backend[0].deny[3]', false]])
})

test('a deny outside every allowed field only warns; an empty list on either side changes nothing', () => {
  assert.deepEqual(problems({ allow: ['id', 'user.name'], deny: ['secret', 'username', 'user_x'] }), {
    errors: [],
    warnings: [
      ['endpoints[0].backend[0].deny[0]', false],
      ['endpoints[0].backend[0].deny[1]', false],
      ['endpoints[0].backend[0].deny[2]', false],
    ],
  })
  assert.deepEqual(problems({ allow: [], deny: ['secret'] }), { errors: [], warnings: [] })
  assert.deepEqual(problems({ allow: ['id'], deny: [] }), { errors: [], warnings: [] })
})
