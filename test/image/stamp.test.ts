import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { renderDockerfile } from '../../src/image/dockerfile.ts'
import { canonicalJson, configDigest, normalizeSha, stampGatewayConfig } from '../../src/image/stamp.ts'
import { tempDir } from '../helpers/files.ts'

const SHA = '0123456789abcdef0123456789abcdef01234567'
const config = JSON.stringify({
  version: 3,
  name: 'old name',
  '@owner': 'team-a',
  endpoints: [{ endpoint: '/v1/users', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/users' }] }],
})

test('stamps the default name "<service> rev-<sha7>" and keeps company metadata', async () => {
  const stamped = await stampGatewayConfig({
    file: 'gateway.json',
    text: config,
    service: 'payments',
    sha: SHA,
  })
  assert.equal(stamped.name, 'payments rev-0123456')
  assert.equal(stamped.sha7, '0123456')
  assert.equal(JSON.parse(stamped.json).name, 'payments rev-0123456')
  assert.equal(JSON.parse(stamped.json)['@owner'], 'team-a')
  assert.match(stamped.digest, /^sha256:[0-9a-f]{64}$/)
  assert.equal(stamped.digest, configDigest(JSON.parse(stamped.json)))
})

test('name template placeholders {sha} {sha7} {service} {env}', async () => {
  const stamped = await stampGatewayConfig({
    file: 'gateway.json',
    text: config,
    service: 'payments',
    sha: SHA.toUpperCase(),
    env: 'prod',
    template: '{service}/{env} {sha7} ({sha})',
  })
  assert.equal(stamped.name, `payments/prod 0123456 (${SHA})`)
  await assert.rejects(
    stampGatewayConfig({
      file: 'gateway.json',
      text: config,
      service: 's',
      sha: SHA,
      template: '{service} {commit}',
    }),
    (error: Error & { exitCode?: number }) =>
      error.exitCode === 2 && /unknown placeholder \{commit\}/.test(error.message),
  )
})

test('the digest is canonical: key order and whitespace do not matter, values do', async () => {
  const a = await stampGatewayConfig({
    file: 'a.json',
    text: '{"version":3,"endpoints":[],"port":8080}',
    service: 's',
    sha: SHA,
  })
  const b = await stampGatewayConfig({
    file: 'b.yaml',
    text: 'port: 8080\nendpoints: []\nversion: 3\n',
    service: 's',
    sha: SHA,
  })
  assert.equal(a.digest, b.digest)
  const c = await stampGatewayConfig({
    file: 'c.json',
    text: '{"version":3,"endpoints":[],"port":8081}',
    service: 's',
    sha: SHA,
  })
  assert.notEqual(a.digest, c.digest)
  assert.equal(canonicalJson({ b: [1, { d: 1, c: 2 }], a: 'x' }), '{"a":"x","b":[1,{"c":2,"d":1}]}')
})

test('an invalid config is refused by the gateway validator with its location (exit 2)', async () => {
  const bad = '{\n  "version": 2,\n  "endpoints": []\n}\n'
  await assert.rejects(
    stampGatewayConfig({ file: 'gateway.json', text: bad, service: 's', sha: SHA }),
    (
      error: Error & {
        exitCode?: number
        problems?: Array<{ message: string; location?: { line?: number } }>
      },
    ) => {
      assert.equal(error.exitCode, 2)
      assert.match(error.message, /stamped gateway config is invalid/)
      assert.ok(
        error.problems?.some((p) => p.location?.line === 2),
        JSON.stringify(error.problems),
      )
      return true
    },
  )
})

test('a SHA that is not hex is a usage error', () => {
  assert.throws(
    () => normalizeSha('main'),
    (error: Error & { exitCode?: number }) => error.exitCode === 2,
  )
  assert.equal(normalizeSha(' ABCDEF1 '), 'abcdef1')
})

const fixedLabels = {
  'org.opencontainers.image.revision': SHA,
  'org.opencontainers.image.version': '0123456',
  'gwdeploy.config.name': 'payments rev-0123456 "quoted" $HOME',
  'gwdeploy.config.digest': 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
}

for (const runtime of ['bundled', 'krakend'] as const) {
  test(`Dockerfile.${runtime} renders as the golden file`, async () => {
    const template = await readFile(
      new URL(`../../templates/image/Dockerfile.${runtime}`, import.meta.url),
      'utf8',
    )
    const rendered = renderDockerfile(
      {
        runtime,
        base: runtime === 'bundled' ? 'node:24-slim' : 'devopsfaith/krakend:2.10',
        port: 8080,
        labels: fixedLabels,
      },
      template,
    )
    const golden = await readFile(new URL(`./golden/Dockerfile.${runtime}`, import.meta.url), 'utf8')
    assert.equal(rendered, golden)
    assert.match(rendered, /^USER 1000:1000$/m)
    assert.match(rendered, /^HEALTHCHECK .*__health/m)
    assert.match(rendered, /^EXPOSE 8080$/m)
  })
}

test('the renderer refuses unknown placeholders and bad base images', () => {
  assert.throws(
    () =>
      renderDockerfile({ runtime: 'bundled', base: 'node:24', port: 8080 }, 'FROM {{base}}\nRUN {{oops}}\n'),
    (error: Error & { exitCode?: number }) =>
      error.exitCode === 2 && /unknown placeholders: \{\{oops\}\}/.test(error.message),
  )
  assert.throws(
    () => renderDockerfile({ runtime: 'bundled', base: 'node:24\nRUN evil', port: 8080 }, 'FROM {{base}}\n'),
    (error: Error & { exitCode?: number }) => error.exitCode === 2 && /image.base/.test(error.message),
  )
})

test('Lua sources ship with the stamped config: read relative to it, counted in the digest, kept inside its directory', async () => {
  const dir = tempDir('gw-stamp-lua-')
  await mkdir(join(dir, 'lua'))
  await writeFile(join(dir, 'lua', 'a.lua'), 'function a() end\n')
  const write = (sources: string[]) =>
    writeFile(
      join(dir, 'gateway.json'),
      JSON.stringify({
        version: 3,
        endpoints: [
          {
            endpoint: '/a',
            extra_config: { 'modifier/lua-proxy': { sources, pre: 'a()' } },
            backend: [{ host: ['http://x'], url_pattern: '/a' }],
          },
        ],
      }),
    )
  const stamp = () => stampGatewayConfig({ file: join(dir, 'gateway.json'), service: 's', sha: SHA })
  await write(['./lua/a.lua', 'lua/a.lua'])
  const stamped = await stamp()
  assert.deepEqual(stamped.files, [{ path: 'lua/a.lua', content: 'function a() end\n' }])
  await writeFile(join(dir, 'lua', 'a.lua'), 'function a() return 1 end\n')
  assert.notEqual((await stamp()).digest, stamped.digest)
  // A source making HTTP calls ships like any other (the runtime runs http_response).
  await writeFile(join(dir, 'lua', 'calls.lua'), 'local r = http_response.new("http://x", "GET")\n')
  await write(['lua/calls.lua'])
  assert.deepEqual((await stamp()).files, [
    { path: 'lua/calls.lua', content: 'local r = http_response.new("http://x", "GET")\n' },
  ])
  await write(['../outside.lua'])
  await assert.rejects(stamp(), (error: Error & { problems?: Array<{ message: string }> }) => {
    assert.match(error.problems?.[0]?.message ?? '', /must be a file inside the gateway config's directory/)
    return true
  })
})

test("client_tls's certificates ship like Lua sources; a private key never does, an absolute path is the node's", async () => {
  const dir = tempDir('gw-stamp-tls-')
  await mkdir(join(dir, 'tls'))
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
  await writeFile(join(dir, 'tls', 'ca.pem'), pem)
  await writeFile(join(dir, 'tls', 'client.pem'), pem)
  await writeFile(
    join(dir, 'tls', 'both.pem'),
    `${pem}-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----\n`,
  )
  await writeFile(join(dir, 'tls', 'notes.txt'), 'not a certificate\n')
  const write = (clientTls: unknown) =>
    writeFile(join(dir, 'gateway.json'), JSON.stringify({ version: 3, client_tls: clientTls, endpoints: [] }))
  const stamp = () => stampGatewayConfig({ file: join(dir, 'gateway.json'), service: 's', sha: SHA })
  const problems = async () => {
    try {
      await stamp()
    } catch (error) {
      return ((error as Error & { problems?: Array<{ message: string }> }).problems ?? []).map(
        (p) => p.message,
      )
    }
    return []
  }

  await write({
    ca_certs: ['tls/ca.pem', '/etc/ssl/certs/internal-ca.pem'],
    client_certs: [{ certificate: './tls/client.pem', private_key: '/run/secrets/client.key' }],
  })
  const stamped = await stamp()
  assert.deepEqual(
    stamped.files.map((f) => f.path),
    ['tls/ca.pem', 'tls/client.pem'],
  )
  await writeFile(join(dir, 'tls', 'ca.pem'), pem.replace('MIIB', 'MIIC'))
  assert.notEqual((await stamp()).digest, stamped.digest)

  await write({ client_certs: [{ certificate: 'tls/client.pem', private_key: 'tls/client.key' }] })
  assert.match(
    (await problems())[0] ?? '',
    /the private key "tls\/client\.key" would be copied into the image/,
  )
  await write({ ca_certs: ['tls/both.pem'] })
  assert.match((await problems())[0] ?? '', /also holds a private key/)
  await write({ ca_certs: ['tls/notes.txt', '../ca.pem', 'tls/none.pem'] })
  const [notPem, outside, missing] = await problems()
  assert.match(notPem ?? '', /holds no PEM certificate/)
  assert.match(outside ?? '', /must be a file inside the gateway config's directory/)
  assert.match(missing ?? '', /cannot read the certificate "tls\/none\.pem": ENOENT/)
  // KrakenD's decoder reads a service key in another case (the nodes too): its files ship.
  await writeFile(
    join(dir, 'gateway.json'),
    JSON.stringify({ version: 3, Client_TLS: { ca_certs: ['tls/ca.pem'] }, endpoints: [] }),
  )
  assert.deepEqual(
    (await stamp()).files.map((f) => f.path),
    ['tls/ca.pem'],
  )

  // The JOSE components' local files: the JWKS download's jwk_local_ca ships the same way.
  const jose = (validator: Record<string, unknown>, signer?: Record<string, unknown>) =>
    writeFile(
      join(dir, 'gateway.json'),
      JSON.stringify({
        version: 3,
        endpoints: [
          {
            endpoint: '/v',
            extra_config: {
              'auth/validator': { alg: 'RS256', disable_jwk_security: true, ...validator },
              ...(signer ? { 'auth/signer': { disable_jwk_security: true, ...signer } } : {}),
            },
            backend: [{ host: ['http://x'], url_pattern: '/v' }],
          },
        ],
      }),
    )
  await jose({ jwk_url: 'https://idp.test/jwks.json', jwk_local_ca: 'tls/ca.pem' })
  assert.deepEqual(
    (await stamp()).files.map((f) => f.path),
    ['tls/ca.pem'],
  )

  // The validator's jwk_local_path ships when it holds public keys only; the signer's never does.
  await mkdir(join(dir, 'keys'))
  await writeFile(
    join(dir, 'keys', 'public.json'),
    JSON.stringify({ keys: [{ kty: 'RSA', kid: 'a', n: 'AQAB', e: 'AQAB' }] }),
  )
  await writeFile(
    join(dir, 'keys', 'shared.json'),
    JSON.stringify({ keys: [{ kty: 'oct', kid: 's', k: 'c2VjcmV0' }] }),
  )
  await writeFile(
    join(dir, 'keys', 'private.json'),
    JSON.stringify({ keys: [{ kty: 'EC', kid: 'p', d: 'x', x: 'y' }] }),
  )
  await jose({ jwk_local_path: 'keys/public.json' })
  assert.deepEqual(
    (await stamp()).files.map((f) => f.path),
    ['keys/public.json'],
  )
  await jose({ jwk_local_path: '/run/gwdeploy/env/JWKS' })
  assert.deepEqual((await stamp()).files, [])
  await jose({ jwk_local_path: 'keys/shared.json' })
  assert.match(
    (await problems())[0] ?? '',
    /"keys\/shared\.json" holds a symmetric \(oct\) key at keys\[0\]: gwdeploy never ships/,
  )
  await jose({ jwk_local_path: 'keys/private.json' })
  assert.match((await problems())[0] ?? '', /holds a private key at keys\[0\] \("d"\)/)
  await jose(
    { jwk_local_path: 'keys/public.json' },
    { alg: 'ES256', kid: 'p', jwk_local_path: 'keys/private.json' },
  )
  assert.match(
    (await problems())[0] ?? '',
    /the private key "keys\/private\.json" would be copied into the image/,
  )
  // krakend-jose reads its keys in any case (encoding/json), so the nodes read these files too.
  await jose({ JWK_Local_Path: 'keys/public.json' })
  assert.deepEqual(
    (await stamp()).files.map((f) => f.path),
    ['keys/public.json'],
  )
  await jose(
    { jwk_local_path: 'keys/public.json' },
    { alg: 'ES256', kid: 'p', Jwk_Local_Path: 'keys/private.json' },
  )
  assert.match(
    (await problems())[0] ?? '',
    /the private key "keys\/private\.json" would be copied into the image/,
  )
})

test('a repeated key that drops a guard stops the release: the shipped JSON would hide it', async () => {
  // The JSON shipped in the image holds the last copy only, so the gateway there could not tell.
  const text = `{
  "version": 3,
  "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:8080"], "url_pattern": "/"}],
    "extra_config": {"security/bot-detector": {"deny": ["BadBot"]}}, "extra_config": {}}]
}
`
  await assert.rejects(
    stampGatewayConfig({ file: 'gateway.json', text, service: 's', sha: SHA }),
    (
      error: Error & {
        exitCode?: number
        problems?: Array<{ message: string; location?: { line?: number } }>
      },
    ) =>
      error.exitCode === 2 &&
      error.problems?.[0]?.location?.line === 4 &&
      /"extra_config" is written twice/.test(error.problems?.[0]?.message ?? ''),
  )
  const same = await stampGatewayConfig({
    file: 'gateway.json',
    text: text.replace('"extra_config": {}', '"timeout": "3s", "timeout": "4s"'),
    service: 's',
    sha: SHA,
  })
  assert.deepEqual(same.warnings, [
    '"timeout" is written twice in this object: KrakenD reads only the last copy',
  ])
})
