import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { SignJWT } from 'jose'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import {
  bloomBits,
  bloomHashes,
  type RemoteSlidingFilter,
  SlidingBloomFilter,
} from '../../../src/gateway/revoker/bloom-filter.ts'
import { bitPositions, type HashName } from '../../../src/gateway/revoker/bloom-hashes.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

const bytes = (text: string) => new TextEncoder().encode(text)
const positions = (name: HashName, n: number, p: number, elem: string) => {
  const m = bloomBits(n, p)
  return [...new Set(bitPositions(name, bloomHashes(m, n), m, bytes(elem)))].sort((a, b) => a - b)
}

describe('auth/revoker bloom filter: the bits github.com/krakend/bloomfilter/v2 sets', () => {
  // Printed by bloomfilter/v2 v2.1.0 (bbloomfilter.New + Add, bits read from its MarshalBinary).
  test('m and k as Go computes them', () => {
    assert.deepEqual([bloomBits(100, 0.01), bloomHashes(959, 100)], [959, 7])
    assert.deepEqual([bloomBits(1_000_000, 1e-7), bloomHashes(33547705, 1_000_000)], [33547705, 24])
    assert.deepEqual([bloomBits(50_000_000, 1e-9), bloomHashes(2156638135, 50_000_000)], [2156638135, 30])
  })

  test('"default" (MD5, CRC64, SHA1, FNV64, FNV128 read as little-endian words)', () => {
    assert.deepEqual(positions('default', 100, 0.01, 'jti-abc'), [51, 216, 218, 232, 238, 481, 730, 788])
    assert.deepEqual(positions('default', 100, 0.01, ''), [0, 334, 430, 562, 655, 720, 789, 859])
    assert.deepEqual(
      positions('default', 100, 0.01, 'sub-1234567890'),
      [239, 341, 484, 543, 589, 609, 621, 760],
    )
    assert.deepEqual(positions('default', 3, 0.5, 'a'), [0, 2, 4])
    assert.deepEqual(
      positions('default', 50_000_000, 1e-9, `jti-${'x'.repeat(300)}`),
      [278710557, 399431754, 958277666, 1058130597, 1426597699, 1824327189, 1877589689, 2139087556],
    )
    assert.deepEqual(
      positions('default', 50_000_000, 1e-9, 'kid-ñ€😀'),
      [63991635, 139013150, 178497787, 1198545720, 1605408542, 1706295987, 2009151093, 2115837465],
    )
  })

  test('"optimal" (k words h0 + i*h1 of FNV128, in uint64 arithmetic)', () => {
    assert.deepEqual(
      positions('optimal', 1_000_000, 1e-7, 'jti-abc'),
      [
        954818, 2068812, 2342880, 4868991, 5143059, 6257053, 9057232, 10171226, 12971405, 14359467, 15771584,
        16885578, 17159646, 19685757, 21073819, 23599930, 23873998, 24987992, 26400109, 27788171, 29176233,
        31702344, 31976412, 33090406,
      ],
    )
    assert.deepEqual(
      positions('optimal', 50_000_000, 1e-9, 'kid-ñ€😀'),
      [
        3995895, 34780972, 43687310, 173587344, 182493682, 303487378, 312393716, 451200088, 481985165,
        590006460, 620791537, 759597909, 889497943, 898404281, 1028304315, 1037210653, 1167110687, 1305917059,
        1336702136, 1444723431, 1475508508, 1605408542, 1614314880, 1744214914, 1753121252, 1883021286,
        1891927624, 1922712701, 2021827658, 2061519073,
      ],
    )
  })

  test('an element stays revoked for two slides and is gone after the third', () => {
    const filter = new SlidingBloomFilter({ n: 1000, p: 0.001, hashName: 'default' })
    filter.add(bytes('jti-abc'))
    assert.equal(filter.check(bytes('jti-abc')), true)
    assert.equal(filter.check(bytes('jti-abd')), false)
    filter.rotate()
    assert.equal(filter.check(bytes('jti-abc')), true)
    filter.rotate()
    assert.equal(filter.check(bytes('jti-abc')), true)
    filter.rotate()
    assert.equal(filter.check(bytes('jti-abc')), false)
  })

  test('union ORs a set of the same n and p, and refuses another with Go’s words', async () => {
    const config = { n: 100, p: 0.01, hashName: 'default' as const }
    const ours = new SlidingBloomFilter(config)
    const theirs = new SlidingBloomFilter(config)
    theirs.add(bytes('jti-remote'))
    const remote = (over: Partial<RemoteSlidingFilter> = {}): RemoteSlidingFilter => ({
      n: 100,
      p: 0.01,
      ...theirs.filters,
      ...over,
    })
    await assert.rejects(ours.union(remote({ n: 99 })), { message: 'different n values 99 vs. 100' })
    await assert.rejects(ours.union(remote({ p: 0.02 })), { message: 'different p values 0.02 vs. 0.01' })
    const { current } = theirs.filters
    await assert.rejects(ours.union(remote({ current: { ...current, hashName: 'optimal' } })), {
      message: 'different hashers: optimal is not default',
    })
    await assert.rejects(ours.union(remote({ current: { ...current, m: 960 } })), {
      message: 'm1(959) != m2(960)',
    })
    assert.equal(ours.check(bytes('jti-remote')), false)
    await ours.union(remote())
    const capacity = ours.capacity()
    assert.equal(ours.check(bytes('jti-remote')), true)
    assert.ok(capacity > 0 && capacity < 0.05, `fill degree ${capacity}`)
  })
})

describe('auth/revoker configuration', () => {
  const config = (revoker: unknown, extra: Record<string, unknown> = {}) => ({
    version: 3,
    port: 8080,
    extra_config: { 'auth/revoker': revoker },
    endpoints: [
      {
        endpoint: '/a',
        backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/' }],
        extra_config: {
          'auth/validator': { alg: 'HS256', jwk_local_path: 'keys.json', disable_jwk_security: true },
        },
      },
    ],
    ...extra,
  })
  const good = { n: 1000, p: 0.001, hash_name: 'optimal', ttl: 60, port: 1234, token_keys: ['jti'] }
  const problems = (raw: unknown) => {
    const { errors } = validateGatewayConfig(raw)
    return errors.map((e) => `${e.location?.path ?? ''}: ${e.message}`)
  }
  const refused = (revoker: unknown, path: string, words: RegExp) => {
    const found = problems(config(revoker))
    assert.ok(
      found.some((p) => p.startsWith(`extra_config.auth/revoker${path}:`) && words.test(p)),
      found.join('\n') || 'accepted',
    )
  }

  test('a complete revoker is read', () => {
    const { config: cfg, errors } = validateGatewayConfig(config(good))
    assert.deepEqual(errors, [])
    assert.deepEqual(cfg?.components?.revoker, {
      n: 1000,
      p: 0.001,
      hashName: 'optimal',
      ttlS: 60,
      port: 1234,
      tokenKeys: ['jti'],
    })
  })

  test('what makes KrakenD crash or run without revocation is refused at its path', () => {
    refused({ ...good, ttl: undefined }, '.ttl', /missing/)
    refused({ ...good, ttl: 0 }, '.ttl', /integer from 1/)
    refused({ ...good, n: 0 }, '.n', /integer from 1/)
    refused({ ...good, n: '1000' }, '.n', /got "1000"/)
    refused({ ...good, n: 1.5 }, '.n', /integer/)
    refused({ ...good, p: 1 }, '.p', /between 0 and 1/)
    refused({ ...good, p: 0 }, '.p', /between 0 and 1/)
    refused({ ...good, hash_name: undefined }, '.hash_name', /"default" or "optimal"/)
    refused({ ...good, hash_name: 'fnv' }, '.hash_name', /got "fnv"/)
    refused({ ...good, port: 70000 }, '.port', /0 to 65535/)
    // time.Duration(ttl) * time.Second past int64: negative, and NewTicker panics.
    refused({ ...good, ttl: 9_223_372_037 }, '.ttl', /integer from 1 to 9223372036/)
    refused({ ...good, token_keys: undefined }, '.token_keys', /missing/)
    refused({ ...good, token_keys: ['jti', 3] }, '.token_keys', /list of strings/)
    refused({ ...good, headers: ['X-Token'] }, '.headers', /not applied by KrakenD CE/)
    refused({ ...good, n: 100_000_000, p: 1e-9 }, '', /at most 2\^32 bits/)
    // encoding/json matches keys in any case: KrakenD reads "TTL" as ttl, and so does this runtime.
    const { ttl: _ttl, ...withoutTtl } = good
    assert.deepEqual(problems(config({ ...withoutTtl, TTL: 60 })), [])
    refused({ ...withoutTtl, TTL: 0 }, '.ttl', /ttl/)
  })

  test('what KrakenD decodes and runs is read: token_keys null or [] (nothing revoked, a warning), a null key, a ttl past 2^32 s, port null', () => {
    for (const tokenKeys of [null, []]) {
      const {
        config: cfg,
        errors,
        warnings,
      } = validateGatewayConfig(config({ ...good, token_keys: tokenKeys }))
      assert.deepEqual(errors, [], JSON.stringify(tokenKeys))
      assert.deepEqual(cfg?.components?.revoker?.tokenKeys, [])
      assert.deepEqual(
        warnings.filter((w) => w.location?.path === 'extra_config.auth/revoker.token_keys').length,
        1,
      )
    }
    const { config: cfg, errors } = validateGatewayConfig(
      config({ ...good, token_keys: [null, 'jti'], ttl: 2 ** 32, port: null }),
    )
    assert.deepEqual(errors, [])
    assert.deepEqual(
      [cfg?.components?.revoker?.tokenKeys, cfg?.components?.revoker?.ttlS, cfg?.components?.revoker?.port],
      [['', 'jti'], 2 ** 32, 0],
    )
  })

  test('"headers" that name no header (null, []) are read as none, as KrakenD decodes them', () => {
    for (const headers of [null, []]) {
      const { config: cfg, errors } = validateGatewayConfig(config({ ...good, headers }))
      assert.deepEqual(errors, [], JSON.stringify(headers))
      assert.deepEqual(cfg?.components?.revoker?.tokenKeys, ['jti'])
    }
  })

  test('its port must not be the gateway’s own or its metrics port', () => {
    const found = problems(config({ ...good, port: 8080 }))
    assert.ok(
      found.some((p) => /auth\/revoker\.port: port 8080 is also the gateway's port/.test(p)),
      found.join('\n'),
    )
  })

  test('only at service level', () => {
    const raw = config(good)
    const endpoint = raw.endpoints[0] as { extra_config: Record<string, unknown> }
    endpoint.extra_config['auth/revoker'] = good
    assert.ok(problems(raw).some((p) => /has no effect at endpoint level/.test(p)))
  })

  test('without any auth/validator endpoint it is a warning: nothing consults it', () => {
    const raw = config(good)
    delete (raw.endpoints[0] as { extra_config?: unknown }).extra_config
    const { errors, warnings } = validateGatewayConfig(raw)
    assert.deepEqual(errors, [])
    assert.ok(warnings.some((w) => /refuses nothing/.test(w.message)))
  })
})

describe('auth/revoker on JWT endpoints', () => {
  let dir: string
  let backend: TestBackend
  let gateway: Running
  const secret = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
  const token = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'sym' }).setExpirationTime('5m').sign(secret)
  const call = async (claims: Record<string, unknown>, path = '/a') =>
    (await send(gateway.url, { path, headers: { authorization: `Bearer ${await token(claims)}` } })).status

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-revoker-'))
    const keys = join(dir, 'keys.json')
    await writeFile(
      keys,
      JSON.stringify({
        keys: [{ kty: 'oct', kid: 'sym', alg: 'HS256', k: Buffer.from(secret).toString('base64url') }],
      }),
    )
    backend = await startBackend('api')
    const validator = { alg: 'HS256', jwk_local_path: keys, disable_jwk_security: true }
    gateway = await startGateway(
      mustConfig({
        version: 3,
        extra_config: {
          'auth/revoker': {
            n: 1000,
            p: 0.0001,
            hash_name: 'default',
            ttl: 3600,
            port: 0,
            token_keys: ['jti', 'sub', 'sid'],
          },
        },
        endpoints: [
          {
            endpoint: '/a',
            backend: [{ host: [backend.origin], url_pattern: '/echo' }],
            extra_config: { 'auth/validator': validator },
          },
          {
            endpoint: '/cel',
            backend: [{ host: [backend.origin], url_pattern: '/echo' }],
            extra_config: {
              'auth/validator': validator,
              'validation/cel': [{ check_expr: "JWT.role != 'banned'" }],
            },
          },
          { endpoint: '/open', backend: [{ host: [backend.origin], url_pattern: '/echo' }] },
        ],
      }),
    )
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
    await rm(dir, { recursive: true, force: true })
  })

  test('a token whose jti or sub is revoked gets 401, others pass', async () => {
    const revocations = gateway.gateway.revocations
    assert.ok(revocations)
    assert.equal(await call({ jti: 'abc', sub: 'alice' }), 200)
    revocations.add(bytes('jti-abc'))
    assert.equal(await call({ jti: 'abc', sub: 'alice' }), 401)
    assert.equal(await call({ jti: 'abd', sub: 'alice' }), 200)
    revocations.add(bytes('sub-alice'))
    assert.equal(await call({ jti: 'abd', sub: 'alice' }), 401)
    assert.equal(await call({ sub: 'bob' }), 200)
    // Only string claims are looked up (krakend's v.(string)); an unlisted claim never is.
    revocations.add(bytes('sid-7'))
    assert.equal(await call({ sid: 7, sub: 'bob' }), 200)
    assert.equal(await call({ sid: '7', sub: 'bob' }), 401)
    revocations.add(bytes('iss-x'))
    assert.equal(await call({ iss: 'x', sub: 'bob' }), 200)
    assert.equal((await send(gateway.url, { path: '/open' })).status, 200)
  })

  test('a claim with invalid UTF-8 is looked up as Go decodes it: one U+FFFD per bad byte', async () => {
    // go-jose's JSON decoder (utf8.DecodeRune) turns each byte of the truncated sequences E2 82
    // and F0 9F 98 into its own U+FFFD, where a WHATWG decoder writes one for each sequence.
    const rawToken = (payload: Buffer) => {
      const part = (b: Buffer) => b.toString('base64url')
      const head = `${part(Buffer.from('{"alg":"HS256","kid":"sym"}'))}.${part(payload)}`
      return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`
    }
    const status = async (claim: string, value: Buffer) => {
      const exp = Math.floor(Date.now() / 1000) + 300
      const payload = Buffer.concat([Buffer.from(`{"exp":${exp},"${claim}":"`), value, Buffer.from('"}')])
      const authorization = `Bearer ${rawToken(payload)}`
      return (await send(gateway.url, { path: '/a', headers: { authorization } })).status
    }
    const revocations = gateway.gateway.revocations
    assert.ok(revocations)
    const truncated = Buffer.from([0x61, 0xe2, 0x82, 0x62]) // "a", E2 82, "b"
    assert.equal(await status('jti', truncated), 200)
    revocations.add(bytes('jti-a\uFFFDb'))
    assert.equal(await status('jti', truncated), 200)
    revocations.add(bytes('jti-a\uFFFD\uFFFDb'))
    assert.equal(await status('jti', truncated), 401)
    const emoji = Buffer.from([0x78, 0xf0, 0x9f, 0x98]) // "x" and the first 3 of 4 bytes
    revocations.add(bytes('sub-x\uFFFD\uFFFD\uFFFD'))
    assert.equal(await status('sub', emoji), 401)
    assert.equal(await status('sub', Buffer.from('x\uFFFD')), 200)
  })

  test('chained with validation/cel JWT expressions: either refuses', async () => {
    assert.equal(await call({ sub: 'carol', role: 'user' }, '/cel'), 200)
    assert.equal(await call({ sub: 'carol', role: 'banned' }, '/cel'), 401)
    gateway.gateway.revocations?.add(bytes('sub-carol'))
    assert.equal(await call({ sub: 'carol', role: 'user' }, '/cel'), 401)
  })
})
