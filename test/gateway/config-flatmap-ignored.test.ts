// Settings lura never applies next to a flatmap_filter, and an endpoint flatmap_filter over one
// backend, which lura never runs: where a field would then reach the client (allow, deny, del) the
// config is refused at that JSON path; a rename left out only warns.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'

const del = [{ type: 'del', args: ['secret'] }]
const move = [{ type: 'move', args: ['a', 'b'] }]
const withFlatmap = (ops: unknown[], more: Record<string, unknown> = {}) => ({
  url_pattern: '/',
  extra_config: { proxy: { flatmap_filter: ops } },
  ...more,
})

function problems(endpoints: unknown[]) {
  const result = validateGatewayConfig({ version: 3, name: 't', host: ['http://b'], endpoints })
  const at = (list: typeof result.errors) =>
    list.filter((p) => /flatmap_filter/.test(p.message)).map((p) => p.location?.path)
  return { errors: at(result.errors), warnings: at(result.warnings) }
}

test('allow and deny beside a backend flatmap_filter are refused; mapping warns; [] runs them', () => {
  const { errors, warnings } = problems([
    { endpoint: '/a', backend: [withFlatmap(move, { deny: ['secret'] })] },
    { endpoint: '/b', backend: [withFlatmap(del, { allow: ['a'], mapping: { a: 'c' } })] },
    { endpoint: '/c', backend: [withFlatmap([], { deny: ['secret'], mapping: { a: 'c' } })] },
    { endpoint: '/d', backend: [withFlatmap(move, { allow: [], deny: [] })] },
  ])
  assert.deepEqual(errors, ['endpoints[0].backend[0].deny', 'endpoints[1].backend[0].allow'])
  assert.deepEqual(warnings, ['endpoints[1].backend[0].mapping'])
})

test('an endpoint flatmap_filter over one backend: refused with a del, a warning without', () => {
  const endpoint = (path: string, ops: unknown[], backends: number) => ({
    endpoint: path,
    extra_config: { proxy: { flatmap_filter: ops } },
    backend: Array.from({ length: backends }, (_, i) => ({ url_pattern: `/${i}`, group: `g${i}` })),
  })
  const { errors, warnings } = problems([
    endpoint('/a', [...move, ...del], 1),
    endpoint('/b', move, 1),
    endpoint('/c', del, 2),
  ])
  assert.deepEqual(errors, ['endpoints[0].extra_config.proxy.flatmap_filter'])
  assert.deepEqual(warnings, ['endpoints[1].extra_config.proxy.flatmap_filter'])
})
