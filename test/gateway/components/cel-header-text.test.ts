import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  mustConfig,
  type Running,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

// CEL reads req_headers as Go strings: the header's bytes as UTF-8 text. A check refusing one
// user by a name with an accent refuses it as KrakenD does, and size() counts characters.
let backend: TestBackend
let gateway: Running

before(async () => {
  backend = await startBackend('api')
  const endpoint = (path: string, expr: string) => ({
    endpoint: path,
    input_headers: ['X-User'],
    extra_config: { 'validation/cel': [{ check_expr: expr }] },
    backend: [{ host: [backend.origin], url_pattern: '/echo' }],
  })
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        endpoint('/deny', "req_headers['X-User'][0] != 'zo\u00eb'"),
        endpoint('/size', "size(req_headers['X-User'][0]) == 3"),
      ],
    }),
  )
})
after(async () => {
  await gateway?.close()
  await backend?.close()
})

const statusFor = async (path: string, user: string) =>
  (
    await sendRaw(
      gateway.url,
      Buffer.from(`GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-User: ${user}\r\n\r\n`, 'utf8'),
    )
  ).status

describe('validation/cel: req_headers values are UTF-8 text', () => {
  test("a check refusing 'zoë' refuses the header zoë; size() counts its 3 characters", async () => {
    assert.equal(await statusFor('/deny', 'zo\u00eb'), 500)
    assert.equal(await statusFor('/deny', 'zoe'), 200)
    assert.equal(await statusFor('/size', 'zo\u00eb'), 200)
  })
})
