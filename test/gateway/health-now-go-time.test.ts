// KrakenD's /__health writes `now` as Go's time.Now().String(): "2026-12-06 15:53:58.12 +0000 UTC
// m=+5.000000000" (local zone, trailing zeros of the fraction trimmed, the monotonic reading after
// m=), not an ISO 8601 time.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { after, before, test } from 'node:test'
import { goMonotonicSuffix } from '../../src/gateway/go-time-string.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const MODULE = new URL('../../src/gateway/go-time-string.ts', import.meta.url).href
const INSTANT = Date.UTC(2026, 11, 6, 15, 53, 58, 120)

/** goTimeString in a process of its own, the local zone being `tz`. */
function inZone(tz: string, epochMs: number, uptimeNs: bigint): string {
  const script = `import(${JSON.stringify(MODULE)}).then((m) => process.stdout.write(m.goTimeString(${epochMs}, ${uptimeNs}n)))`
  return execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' })
}

test('the monotonic reading has nine decimals and whole seconds unpadded, as Go writes it', () => {
  assert.equal(goMonotonicSuffix(1n), ' m=+0.000000001')
  assert.equal(goMonotonicSuffix(12_345_678_901n), ' m=+12.345678901')
  assert.equal(goMonotonicSuffix(5_000_000_000n), ' m=+5.000000000')
  assert.equal(goMonotonicSuffix(1_000_000_000_000_000_007n), ' m=+1000000000.000000007')
  assert.equal(goMonotonicSuffix(-1_500_000_000n), ' m=-1.500000000')
})

test('UTC: the zone is "UTC", the fraction loses its trailing zeros, a whole second has none', () => {
  assert.equal(inZone('UTC', INSTANT, 5_000_000_000n), '2026-12-06 15:53:58.12 +0000 UTC m=+5.000000000')
  assert.equal(inZone('Etc/UTC', INSTANT - 120, 7n), '2026-12-06 15:53:58 +0000 UTC m=+0.000000007')
  // an empty TZ is UTC to Go (ICU calls it Etc/Unknown)
  assert.equal(inZone('', INSTANT, 7n), '2026-12-06 15:53:58.12 +0000 UTC m=+0.000000007')
  assert.equal(
    inZone('UTC', Date.UTC(999, 0, 2, 3, 4, 5, 6), 1n),
    '0999-01-02 03:04:05.006 +0000 UTC m=+0.000000001',
  )
})

test('another zone: its wall clock, offset and abbreviation', () => {
  assert.equal(inZone('America/New_York', INSTANT, 1n), '2026-12-06 10:53:58.12 -0500 EST m=+0.000000001')
  assert.equal(
    inZone('America/New_York', Date.UTC(2026, 6, 1, 12, 0, 0, 500), 1n),
    '2026-07-01 08:00:00.5 -0400 EDT m=+0.000000001',
  )
})

let gw: Running
before(async () => {
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [{ endpoint: '/x', backend: [{ host: ['http://127.0.0.1:8080'], url_pattern: '/x' }] }],
    }),
  )
})
after(async () => {
  await gw?.close()
})

test('/__health answers `now` in Go time.Time.String() form, over HTTP/1.1 and h2c', async () => {
  const goNow = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{0,2}[1-9])? [+-]\d{4} \S+ m=\+\d+\.\d{9}$/
  for (const http2 of [false, true]) {
    const before = Date.now()
    const res = await send(gw.url, { path: '/__health', http2 })
    assert.equal(res.status, 200)
    const now = (JSON.parse(res.text) as { now: string }).now
    assert.match(now, goNow)
    const [date, time] = now.split(' ') as [string, string]
    const offset = now.split(' ')[2] as string
    const local = Date.parse(`${date}T${time}${offset.slice(0, 3)}:${offset.slice(3)}`)
    assert.ok(Math.abs(local - before) < 60_000, `${now} is not about ${new Date(before).toISOString()}`)
  }
})
