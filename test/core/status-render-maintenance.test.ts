/** `status`'s maintenance line says when the page reaches nobody: the router is down (it said clients get 503). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { renderStatus } from '../../src/commands/status.ts'
import type { StatusResult } from '../../src/core/operations.ts'

const withPage = (routerUp: boolean): StatusResult => ({
  service: 'api',
  provider: 'local',
  router: routerUp ? { present: true } : { present: false, detail: 'front proxy pid 9 exited' },
  weights: { blue: 100, green: 0 },
  served: routerUp,
  serving: 'blue',
  colours: [],
  lock: null,
  maintenance: {
    status: 503,
    contentType: 'application/json',
    body: '{}',
    since: '2026-12-07T00:00:00Z',
    by: 'ops',
  },
})

test('maintenance on with the router down: the line says clients get no answer at all', () => {
  const line = (up: boolean) =>
    renderStatus(withPage(up))
      .split('\n')
      .find((l) => l.startsWith('MAINTENANCE'))
  assert.match(
    line(false) ?? '',
    /^MAINTENANCE: clients get 503 .* \(but the router is down: clients get no answer at all\)$/,
  )
  assert.doesNotMatch(line(true) ?? '', /router is down/)
})
