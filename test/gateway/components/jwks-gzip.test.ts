import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { SYM_JWK, symJwksGateway } from './jwks-answer-server.ts'

// A JWKS served gzip-encoded (Go's transport asked for it): go-auth0's json.Decoder takes the first
// value of what Go's gzip.Reader hands up, so garbage or a bad checksum after the member goes unseen
// and KrakenD CE 2.13.8 verifies with the set; a member cut short, or a header Go refuses, is no set
// (gzreaders sweep A; the long name: session 50's longname form, KrakenD 401).
const member = gzipSync(JSON.stringify({ keys: [SYM_JWK] }))
const badChecksum = Buffer.from(member)
badChecksum.writeUInt32LE(
  (badChecksum.readUInt32LE(badChecksum.length - 8) ^ 0xff) >>> 0,
  badChecksum.length - 8,
)
/** The set's member with a file name of 600 bytes in its header: zlib reads it, Go's 512-byte buffer does not. */
const longName = Buffer.concat([
  Buffer.from([...member.subarray(0, 3), (member[3] as number) | 0x08, ...member.subarray(4, 10)]),
  Buffer.from(`${'n'.repeat(600)}\0`, 'latin1'),
  member.subarray(10),
])
const ANSWERS: Record<string, Buffer> = {
  '/whole': member,
  '/garbage-after': Buffer.concat([member, Buffer.from('GARBAGE!')]),
  '/bad-checksum': badChecksum,
  '/cut-short': member.subarray(0, Math.floor(member.length / 2)),
  '/long-name': longName,
  // the size trailer is the last member's: an empty member before it does not change it
  '/empty-then-long-name': Buffer.concat([gzipSync(''), longName]),
}

const status = symJwksGateway(ANSWERS, { 'content-encoding': 'gzip' })

describe('auth/validator: a gzip JWKS is the first JSON value Go reads of it', () => {
  test('a whole member, or one followed by garbage or with a bad checksum, is the set', async () => {
    assert.equal(await status('/whole'), 200)
    assert.equal(await status('/garbage-after'), 200)
    assert.equal(await status('/bad-checksum'), 200)
  })

  test('a member cut short is no set', async () => {
    assert.equal(await status('/cut-short'), 401)
  })

  test("a header Go's gzip reader refuses (a name past 511 bytes) is no set: tokens are refused (zlib read it and they passed)", async () => {
    assert.equal(await status('/long-name'), 401)
    assert.equal(await status('/empty-then-long-name'), 401)
  })
})
