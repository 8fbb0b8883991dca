/**
 * Continuous `/__health` load for zero-downtime tests: HTTP/1.1 keep-alive loops (an undici
 * pool) and h2c loops (one http2 session) against one origin on 127.0.0.1. Records every
 * failure and the sequence of answering config names. Bounded: it stops after 50 failures, and
 * the caller stops it when its release/rollback cycles are done.
 */
import assert from 'node:assert/strict'
import http2 from 'node:http2'
import { Pool } from 'undici'

export interface HealthLoad {
  /** Failed requests (status other than 200, or transport errors). */
  readonly failures: string[]
  /** The answering config names, consecutive duplicates collapsed. */
  readonly names: string[]
  /** Successful requests so far. */
  ok(): number
  /** Waits until `count` more requests succeeded (at most `timeoutMs`): lets in-flight ones land. */
  settle(count: number, timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

export function startHealthLoad(origin: string, loops: { h1: number; h2: number }): HealthLoad {
  let stopped = false
  let ok = 0
  const failures: string[] = []
  const names: string[] = []
  const fail = async (what: string) => {
    failures.push(what)
    if (failures.length > 50) stopped = true
    await new Promise((r) => setTimeout(r, 10))
  }
  const record = (status: number, body: string, protocol: string) => {
    if (status !== 200) return fail(`${protocol} ${status} ${body}`)
    ok += 1
    const name = (JSON.parse(body) as { name: string }).name
    if (names.at(-1) !== name) names.push(name)
  }
  const pool = new Pool(origin, { connections: Math.max(1, loops.h1), pipelining: 1 })
  const h1Loop = async () => {
    while (!stopped) {
      try {
        const { statusCode, body } = await pool.request({ method: 'GET', path: '/__health' })
        await record(statusCode, await body.text(), 'h1')
      } catch (error) {
        await fail(`h1 ${(error as Error).message}`)
      }
    }
  }
  const session = http2.connect(origin)
  session.on('error', (error) => failures.push(`h2 session ${error.message}`))
  const h2Request = () =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const stream = session.request({ ':path': '/__health' })
      let status = 0
      let body = ''
      stream.on('response', (headers) => {
        status = Number(headers[':status'])
      })
      stream.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      stream.on('end', () => resolve({ status, body }))
      stream.on('error', reject)
      stream.end()
    })
  const h2Loop = async () => {
    while (!stopped) {
      try {
        const { status, body } = await h2Request()
        await record(status, body, 'h2')
      } catch (error) {
        await fail(`h2 ${(error as Error).message}`)
      }
    }
  }
  const running = [...Array.from({ length: loops.h1 }, h1Loop), ...Array.from({ length: loops.h2 }, h2Loop)]
  return {
    failures,
    names,
    ok: () => ok,
    async settle(count, timeoutMs = 5_000) {
      const target = ok + count
      for (let waited = 0; ok < target && waited < timeoutMs && !stopped; waited += 50)
        await new Promise((r) => setTimeout(r, 50))
    },
    async stop() {
      stopped = true
      await Promise.all(running)
      session.close()
      await pool.close()
    },
  }
}

/**
 * Runs `cycles` release -> rollback cycles while `/__health` load runs against `origin`, then
 * asserts zero failed requests and that the answering name went blue -> green -> blue each cycle.
 */
export async function assertZeroDowntimeCycles(options: {
  origin: string
  loops: { h1: number; h2: number }
  cycles: number
  blueName: string
  releaseSha: (cycle: number) => string
  run: (args: string[]) => Promise<{ code: number | null; stderr: string }>
}): Promise<void> {
  const { cycles, blueName } = options
  const load = startHealthLoad(options.origin, options.loops)
  try {
    for (let i = 0; i < cycles && load.failures.length === 0; i++) {
      const released = await options.run(['release', '--sha', options.releaseSha(i)])
      assert.equal(released.code, 0, released.stderr)
      const rolled = await options.run(['rollback'])
      assert.equal(rolled.code, 0, rolled.stderr)
    }
    // Requests sent before the last rollback may still answer from green: let a few more through.
    await load.settle(30)
  } finally {
    await load.stop()
  }
  const { failures, names } = load
  assert.deepEqual(failures, [], `failed requests: ${failures.slice(0, 5).join('; ')}`)
  assert.ok(load.ok() > 100, `load ran (${load.ok()} requests)`)
  assert.equal(names[0], blueName, `names seen: ${JSON.stringify(names)}`)
  assert.equal(names.at(-1), blueName, `names seen: ${JSON.stringify(names)}`)
  const switches = names.filter((name) => name !== blueName).length
  assert.ok(switches >= cycles, `saw ${switches} switches to green in ${JSON.stringify(names)}`)
}
