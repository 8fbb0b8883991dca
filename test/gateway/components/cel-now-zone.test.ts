// krakend-cel's `now` is Go's time.Now() formatted in the process's local zone: under
// TZ=Europe/Madrid KrakenD CE 2.13.8 passes `now.endsWith('+01:00')` in winter and refuses
// `now.endsWith('Z')` (checked by hand, TZ=Europe/Madrid, America/New_York, UTC and empty), so a
// check on `now` as text (office hours) sees the wall clock KrakenD's does.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { celNow } from '../../../src/gateway/components/cel.ts'
import { mustConfig, type Running, startBackend, startGateway, type TestBackend } from '../helpers.ts'

const zoneBefore = process.env.TZ
const setZone = (tz: string | undefined) => {
  if (tz === undefined) delete process.env.TZ
  else process.env.TZ = tz
}

describe('validation/cel: now in the local zone', () => {
  after(() => setZone(zoneBefore))

  test('Go\'s "2006-01-02T15:04:05.999Z07:00" of the local wall clock', () => {
    const instant = new Date('2026-01-02T03:04:05.120Z')
    const summer = new Date('2026-07-02T03:04:05.000Z')
    setZone('Europe/Madrid')
    assert.equal(celNow(instant), '2026-01-02T04:04:05.12+01:00')
    assert.equal(celNow(summer), '2026-07-02T05:04:05+02:00')
    setZone('America/New_York')
    assert.equal(celNow(instant), '2026-01-01T22:04:05.12-05:00')
    setZone('Asia/Kolkata')
    assert.equal(celNow(instant), '2026-01-02T08:34:05.12+05:30')
    setZone('UTC')
    assert.equal(celNow(instant), '2026-01-02T03:04:05.12Z')
    setZone('')
    assert.equal(celNow(summer), '2026-07-02T03:04:05Z')
  })

  describe('a check on now', () => {
    let backend: TestBackend
    let gateway: Running
    before(async () => {
      backend = await startBackend('api')
      const endpoint = (path: string, expr: string) => ({
        endpoint: path,
        extra_config: { 'validation/cel': [{ check_expr: expr }] },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      })
      gateway = await startGateway(
        mustConfig({
          version: 3,
          endpoints: [
            endpoint('/utc', "req_method != '' && now.endsWith('Z')"),
            endpoint('/offset', "req_method != '' && now.matches('[+-][0-9][0-9]:[0-9][0-9]$')"),
          ],
        }),
      )
    })
    after(async () => {
      await gateway?.close()
      await backend?.close()
    })

    test('sees the offset of a zone other than UTC', async () => {
      setZone('Asia/Kolkata')
      assert.equal((await fetch(`${gateway.url}/utc`)).status, 500)
      assert.equal((await fetch(`${gateway.url}/offset`)).status, 200)
      setZone('UTC')
      assert.equal((await fetch(`${gateway.url}/utc`)).status, 200)
      assert.equal((await fetch(`${gateway.url}/offset`)).status, 500)
    })
  })
})
