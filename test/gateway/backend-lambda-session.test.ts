// backend/lambda without "region": krakend-lambda's aws-sdk-go v1 session reads AWS_REGION, and
// AWS_DEFAULT_REGION or the shared config file only with AWS_SDK_LOAD_CONFIG; it knows no
// AWS_ENDPOINT_URL. The JavaScript SDK would read more, so the gateway narrows it (session.ts).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { GO_SESSION_ENDPOINTS, goSessionRegion } from '../../src/gateway/backend-lambda/session.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'gw-lambda-session-'))
let gw: Running

before(async () => {
  // A shared config file with a region, which aws-sdk-go v1 reads only with AWS_SDK_LOAD_CONFIG.
  const file = join(dir, 'config')
  writeFileSync(file, '[default]\nregion = eu-west-3\n')
  process.env.AWS_CONFIG_FILE = file
  delete process.env.AWS_REGION
  delete process.env.AWS_DEFAULT_REGION
  delete process.env.AWS_SDK_LOAD_CONFIG
  process.env.AWS_ACCESS_KEY_ID = 'testing'
  process.env.AWS_SECRET_ACCESS_KEY = 'testing'
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/f',
          backend: [
            {
              host: ['http://ignored.invalid'],
              url_pattern: '/',
              extra_config: { 'backend/lambda': { function_name: 'f' } },
            },
          ],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  rmSync(dir, { recursive: true, force: true })
})

test('no region anywhere aws-sdk-go v1 looks (the shared config file unread): MissingRegion, nothing sent', async () => {
  const res = await send(gw.url, { path: '/f' })
  assert.equal(res.status, 500)
  assert.equal(res.text, 'MissingRegion: could not find region configuration')
})

test("the region as v1's session finds it", () => {
  const none = { functionParam: 'function' }
  assert.deepEqual(goSessionRegion({ ...none, region: 'r' }, { AWS_REGION: 'x' }), { region: 'r' })
  assert.deepEqual(goSessionRegion(none, { AWS_REGION: 'x' }), {})
  assert.deepEqual(goSessionRegion(none, { AWS_SDK_LOAD_CONFIG: 'true', AWS_DEFAULT_REGION: 'd' }), {
    region: 'd',
  })
  assert.deepEqual(goSessionRegion(none, { AWS_SDK_LOAD_CONFIG: '1' }), {})
  assert.equal(typeof goSessionRegion(none, { AWS_DEFAULT_REGION: 'd' }).region, 'function')
  assert.equal(
    typeof goSessionRegion(none, { AWS_SDK_LOAD_CONFIG: 'yes', AWS_DEFAULT_REGION: 'd' }).region,
    'function',
  )
  assert.deepEqual(GO_SESSION_ENDPOINTS, { ignoreConfiguredEndpointUrls: true })
})
