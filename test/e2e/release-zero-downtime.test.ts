/**
 * Zero downtime: continuous HTTP/1.1 keep-alive and h2c load on the local front proxy across
 * 10 release -> rollback cycles. Every request must succeed (200), and the answering config
 * name must switch from blue's to green's and back.
 */
import assert from 'node:assert/strict'
import http2 from 'node:http2'
import { after, before, describe, it } from 'node:test'
import { Pool } from 'undici'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'

const CYCLES = 10

describe('zero failed requests over 10 release -> rollback cycles (h1 keep-alive + h2c)', () => {
  let project: Project
  before(async () => {
    project = await makeProject({ size: 2 })
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
  })
  after(async () => {
    await project?.cleanup()
  })

  it('keeps serving every request while traffic switches back and forth', async () => {
    const origin = `http://127.0.0.1:${project.port}`
    let stop = false
    const failures: string[] = []
    const names: string[] = []
    let ok = 0
    const fail = async (what: string) => {
      failures.push(what)
      if (failures.length > 50) stop = true
      await new Promise((r) => setTimeout(r, 10))
    }
    const record = (name: string) => {
      ok += 1
      if (names.at(-1) !== name) names.push(name)
    }
    const pool = new Pool(origin, { connections: 2, pipelining: 1 })
    const h1Loop = async () => {
      while (!stop) {
        try {
          const { statusCode, body } = await pool.request({ method: 'GET', path: '/__health' })
          const json = (await body.json()) as { name: string }
          if (statusCode !== 200) await fail(`h1 ${statusCode} ${JSON.stringify(json)}`)
          else record(json.name)
        } catch (error) {
          await fail(`h1 ${(error as Error).message}`)
        }
      }
    }
    const session = http2.connect(origin)
    session.on('error', (error) => failures.push(`h2 session ${error.message}`))
    const h2Loop = async () => {
      while (!stop) {
        try {
          const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
            const stream = session.request({ ':path': '/__health' })
            let status = 0
            let body = ''
            stream.on('response', (h) => {
              status = Number(h[':status'])
            })
            stream.on('data', (c: Buffer) => {
              body += c.toString()
            })
            stream.on('end', () => resolve({ status, body }))
            stream.on('error', reject)
            stream.end()
          })
          if (status !== 200) await fail(`h2 ${status} ${body}`)
          else record((JSON.parse(body) as { name: string }).name)
        } catch (error) {
          await fail(`h2 ${(error as Error).message}`)
        }
      }
    }
    const loops = [h1Loop(), h1Loop(), h2Loop(), h2Loop()]
    const blueName = `e2e rev-${sha(1).slice(0, 7)}`
    try {
      for (let i = 0; i < CYCLES && !stop; i++) {
        const next = sha(i + 20)
        const released = await project.run(['release', '--sha', next])
        assert.equal(released.code, 0, released.stderr)
        const rolled = await project.run(['rollback'])
        assert.equal(rolled.code, 0, rolled.stderr)
      }
    } finally {
      stop = true
      await Promise.all(loops)
      session.close()
      await pool.close()
    }
    assert.deepEqual(failures, [], `failed requests: ${failures.slice(0, 5).join('; ')}`)
    assert.ok(ok > 100, `load ran (${ok} requests)`)
    // The answering name went blue -> green -> blue ... for every cycle.
    const switches = names.filter((name) => name !== blueName).length
    assert.equal(names[0], blueName)
    assert.equal(names.at(-1), blueName)
    assert.ok(switches >= CYCLES, `saw ${switches} switches to green in ${JSON.stringify(names)}`)
  })
})
