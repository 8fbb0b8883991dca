// /__health writes `now` in the local zone, as Go does (go-time-string.ts). Where that zone is UTC by
// TZ, the answer is made without asking ICU: an Intl.DateTimeFormat on a node's first /__health cost
// ~10 ms of CPU and ~5.6 MB of RSS (ICU's data pages of Node's binary), on the health check that
// decides when a new node is ready. Each case runs in a process of its own that counts the
// Intl.DateTimeFormat objects made.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { test } from 'node:test'

const MODULE = new URL('../../src/gateway/go-time-string.ts', import.meta.url).href
const INSTANT = Date.UTC(2026, 11, 6, 15, 53, 58, 120)

/** goTimeString in a process whose local zone is `tz`, and how many Intl.DateTimeFormat it made. */
function inZone(tz: string): { text: string; formats: number } {
  const script = `
    let formats = 0
    const DateTimeFormat = Intl.DateTimeFormat
    Intl.DateTimeFormat = new Proxy(DateTimeFormat, {
      apply: (target, self, args) => (formats++, Reflect.apply(target, self, args)),
      construct: (target, args) => (formats++, Reflect.construct(target, args)),
    })
    import(${JSON.stringify(MODULE)}).then((m) =>
      process.stdout.write(JSON.stringify({ text: m.goTimeString(${INSTANT}, 5000000000n), formats })))`
  const out = execFileSync(process.execPath, ['-e', script], {
    env: { ...process.env, TZ: tz },
    encoding: 'utf8',
  })
  return JSON.parse(out) as { text: string; formats: number }
}

test('a UTC local zone named by TZ is written "UTC" without asking ICU', () => {
  for (const tz of ['UTC', 'Etc/UTC', ':UTC', 'Etc/Universal', 'Zulu']) {
    assert.deepEqual(inZone(tz), { text: '2026-12-06 15:53:58.12 +0000 UTC m=+5.000000000', formats: 0 }, tz)
  }
})

test('another zone is still named by ICU', () => {
  const { text, formats } = inZone('America/New_York')
  assert.equal(text, '2026-12-06 10:53:58.12 -0500 EST m=+5.000000000')
  assert.ok(formats > 0)
})
