// krakend-cel logs the expression that stopped a request or a backend call at INFO, with the phase:
// `[ENDPOINT: /e][CEL][pre] Evaluator #0 result: false`, `[BACKEND: /b][CEL][post] ...` (proxy.go's
// evalChecks; its JWT rejecter says `Rejecter #0`). They were ERROR (endpoint) and WARNING (backend)
// lines without the phase here.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  linesLogger,
  mustConfig,
  type Running,
  send,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

const lines: string[] = []
let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('cel-log', { '/b': { body: { s: 'a' } } })
  const host = [backend.origin]
  // the first passes, the second (#1) does not
  const pre = {
    'validation/cel': [{ check_expr: "req_method == 'GET'" }, { check_expr: "req_method == 'POST'" }],
  }
  const post = {
    'validation/cel': [{ check_expr: "resp_data.s == 'a'" }, { check_expr: "resp_data.s == 'b'" }],
  }
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/endpoint-pre',
          extra_config: pre,
          backend: [{ host, url_pattern: '/b' }],
        },
        {
          endpoint: '/endpoint-post',
          extra_config: post,
          backend: [{ host, url_pattern: '/b' }],
        },
        {
          endpoint: '/backend-pre',
          backend: [{ host, url_pattern: '/b', extra_config: pre }],
        },
        {
          endpoint: '/backend-post',
          backend: [{ host, url_pattern: '/b', extra_config: post }],
        },
      ],
    }),
    { logger: linesLogger(lines, 'DEBUG') },
  )
})

after(async () => {
  await gw.close()
  await backend.close()
})

const celLines = () =>
  lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('[CEL]'))
    .map((line) => line.replace(/^.*▶ /, '').trim())

for (const [path, expected] of [
  ['/endpoint-pre', 'INFO    [ENDPOINT: /endpoint-pre][CEL][pre] Evaluator #1 result: false'],
  ['/endpoint-post', 'INFO    [ENDPOINT: /endpoint-post][CEL][post] Evaluator #1 result: false'],
  ['/backend-pre', 'INFO    [BACKEND: /b][CEL][pre] Evaluator #1 result: false'],
  ['/backend-post', 'INFO    [BACKEND: /b][CEL][post] Evaluator #1 result: false'],
] as const)
  test(`the expression that stopped it is an INFO line with its phase: ${path}`, async () => {
    lines.length = 0
    const res = await send(gw.url, { path })
    assert.notEqual(res.status, 200)
    assert.deepEqual(celLines(), [expected])
  })
