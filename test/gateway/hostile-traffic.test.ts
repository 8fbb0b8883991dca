// Hostile traffic against the gateway as a real process (loopback, bounded): slow and silent
// clients, oversized headers and bodies, malformed HTTP, an h2 stream flood, and backends that
// hang, cut their body short, or answer invalid, huge or badly compressed JSON. Through each abuse
// the gateway stays up, keeps answering a well-behaved client, its memory stays bounded, and the
// abuser gets what KrakenD (Go's net/http + lura) would answer.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { connect as connectH2 } from 'node:http2'
import { connect as connectTcp, type Socket } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Agent, request } from 'undici'
import { tempDir } from '../helpers/files.ts'
import { freePort } from '../helpers/free-port.ts'

const main = new URL('../../src/gateway/main.ts', import.meta.url).pathname
const MB = 1024 * 1024
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A backend that misbehaves on purpose, one way per path. */
function hostileBackend(): Server {
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    req.resume()
    switch (req.url) {
      case '/ok':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
        return
      case '/hang':
        return // never answers
      case '/cut':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
        res.write('{"partial":"')
        setTimeout(() => req.socket.destroy(), 20)
        return
      case '/invalid':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"a": [1, 2,')
        return
      case '/huge': {
        // 50 MB of JSON, streamed without a content-length.
        res.writeHead(200, { 'content-type': 'application/json' })
        const row = `${JSON.stringify({ id: 1, text: 'x'.repeat(1000) })},`
        const rows = Math.ceil((50 * MB) / row.length)
        let sent = 0
        res.write('{"items":[')
        const pump = () => {
          while (sent < rows) {
            sent += 1
            if (!res.write(row)) {
              res.once('drain', pump)
              return
            }
          }
          res.end('{"id":0}]}')
        }
        pump()
        res.on('error', () => {})
        return
      }
      case '/badgzip':
        res
          .writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
          .end(Buffer.from('this is not gzip at all, only pretending'))
        return
      default:
        res.writeHead(404).end()
    }
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('close', () => {
    for (const socket of sockets) socket.destroy()
  })
  return server
}

/** Peak and current resident memory of a process, in MB. */
function memory(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024
  return { peak: kb('VmHWM'), now: kb('VmRSS') }
}

/** Raw HTTP/1.1: writes `head` (+ optional body chunks) and collects the answer until close. */
function raw(port: number, head: string, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1', () => socket.write(head))
    let out = ''
    socket.on('data', (c: Buffer) => {
      out += c.toString('latin1')
    })
    socket.on('error', () => {})
    const bound = setTimeout(() => {
      socket.destroy()
      resolve(`${out}[no close after ${timeoutMs} ms]`)
    }, timeoutMs)
    socket.on('close', () => {
      clearTimeout(bound)
      resolve(out)
    })
  })
}

describe('hostile traffic (gateway process on loopback)', () => {
  let backend: Server
  let gateway: ChildProcess
  let port = 0
  let output = ''

  /** A well-behaved client: `n` requests on fresh connections, every answer must be 200. */
  async function bystander(n = 5): Promise<number[]> {
    const statuses: number[] = []
    for (let i = 0; i < n; i += 1) {
      const agent = new Agent({ keepAliveTimeout: 1 })
      try {
        const res = await request(`http://127.0.0.1:${port}/ok`, {
          dispatcher: agent,
          headersTimeout: 10_000,
        })
        await res.body.text()
        statuses.push(res.statusCode)
      } catch (error) {
        statuses.push(-1)
        output += `bystander: ${(error as Error).message}\n`
      } finally {
        await agent.close()
      }
    }
    return statuses
  }

  /** Runs `abuse` while a bystander keeps asking; asserts the bystander was answered. */
  async function during<T>(abuse: () => Promise<T>): Promise<T> {
    const [result, statuses] = await Promise.all([abuse(), sleep(50).then(() => bystander())])
    assert.deepEqual(statuses, [200, 200, 200, 200, 200], output)
    assert.equal(gateway.exitCode, null, `the gateway died: ${output}`)
    return result
  }

  async function get(path: string): Promise<{ status: number; body: string }> {
    const agent = new Agent({ keepAliveTimeout: 1 })
    try {
      const res = await request(`http://127.0.0.1:${port}${path}`, {
        dispatcher: agent,
        headersTimeout: 20_000,
      })
      return { status: res.statusCode, body: await res.body.text() }
    } finally {
      await agent.close()
    }
  }

  before(async () => {
    backend = hostileBackend()
    backend.listen(0, '127.0.0.1')
    await once(backend, 'listening')
    const origin = `http://127.0.0.1:${(backend.address() as { port: number }).port}`
    const dir = tempDir('gw-hostile-')
    const configFile = join(dir, 'gateway.json')
    const endpoint = (path: string, method = 'GET') => ({
      endpoint: path,
      method,
      backend: [{ host: [origin], url_pattern: method === 'POST' ? '/ok' : path }],
    })
    writeFileSync(
      configFile,
      JSON.stringify({
        version: 3,
        name: 'hostile',
        listen_ip: '127.0.0.1',
        timeout: '1s',
        read_header_timeout: '1s',
        max_header_bytes: 65_536,
        extra_config: { router: { max_payload: MB }, 'telemetry/logging': { level: 'ERROR' } },
        endpoints: [
          // The bystander's backend shares this test's event loop with the 50 MB pump: a longer
          // timeout keeps a busy machine from turning its answer into a 500.
          { ...endpoint('/ok'), timeout: '10s' },
          endpoint('/upload', 'POST'),
          endpoint('/hang'),
          endpoint('/cut'),
          endpoint('/invalid'),
          endpoint('/huge'),
          endpoint('/badgzip'),
        ],
      }),
    )
    // A free port can be taken by another test file's process before the gateway binds it: try another.
    for (let attempt = 0; attempt < 3 && !(await startGateway(configFile)); attempt += 1) output = ''
    assert.deepEqual(await bystander(1), [200], output)
  })

  /** Starts the gateway on a free port; false when that port was taken before it could listen. */
  async function startGateway(configFile: string): Promise<boolean> {
    port = await freePort()
    const child = spawn(
      process.execPath,
      [main, '-c', configFile, '--port', String(port), '--workers', '1'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    gateway = child
    child.stdout?.on('data', (c) => {
      output += c
    })
    child.stderr?.on('data', (c) => {
      output += c
    })
    for (let i = 0; i < 200; i += 1) {
      const up = await request(`http://127.0.0.1:${port}/__health`).then(
        (r) => r.body.text().then(() => r.statusCode === 200),
        () => false,
      )
      if (up) return true
      if (child.exitCode !== null) return !output.includes('EADDRINUSE')
      await sleep(50)
    }
    return true
  }

  after(async () => {
    gateway?.kill('SIGKILL')
    backend?.close()
  })

  test('slowloris: 100 clients trickling header bytes are cut at the read header timeout, without a reply', async () => {
    const answers = await during(() =>
      Promise.all(
        Array.from(
          { length: 100 },
          () =>
            new Promise<string>((resolve) => {
              const socket = connectTcp(port, '127.0.0.1', () =>
                socket.write('GET /ok HTTP/1.1\r\nHost: x\r\n'),
              )
              let out = ''
              socket.on('data', (c: Buffer) => {
                out += c.toString('latin1')
              })
              socket.on('error', () => {})
              const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 200)
              const bound = setTimeout(() => socket.destroy(), 20_000)
              socket.on('close', () => {
                clearInterval(drip)
                clearTimeout(bound)
                resolve(socket.destroyed && out === '' ? 'closed' : `answered: ${out.slice(0, 40)}`)
              })
            }),
        ),
      ),
    )
    assert.deepEqual(new Set(answers), new Set(['closed']))
  })

  test('100 KB of headers over max_header_bytes: 431', async () => {
    const answer = await during(() =>
      raw(port, `GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`),
    )
    assert.match(answer, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
    assert.match(answer, /\r\nConnection: close\r\n/i)
  })

  test('malformed HTTP: 400 Bad Request, as Go answers', async () => {
    const answers = await during(() =>
      Promise.all([
        raw(port, 'THIS IS NOT HTTP\r\n\r\n'),
        raw(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nContent-Length: many\r\n\r\n'),
        raw(port, 'GET /ok HTTP/1.1\r\nHo st: x\r\n\r\n'),
        raw(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n'),
      ]),
    )
    for (const answer of answers)
      assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\n400 Bad Request$/)
  })

  test('a 100 MB upload to a 1 MB max_payload: declared, 413 early; chunked, streamed to the backend (never buffered), whose early answer or the 413 past 1 MB comes', async () => {
    const upload = (declared: boolean) =>
      new Promise<string>((resolve) => {
        const head = declared
          ? `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${100 * MB}\r\n\r\n`
          : 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'
        const socket = connectTcp(port, '127.0.0.1')
        let out = ''
        let sent = 0
        const chunk = Buffer.alloc(64 * 1024, 0x20)
        const framed = declared
          ? chunk
          : Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
        socket.on('data', (c: Buffer) => {
          out += c.toString('latin1')
          if (/\r\n\r\n/.test(out)) socket.destroy()
        })
        socket.on('error', () => {})
        socket.on('close', () => resolve(out))
        socket.on('connect', () => {
          socket.write(head)
          const pump = () => {
            while (sent < 100 * MB && !socket.destroyed) {
              sent += chunk.length
              if (!socket.write(framed)) {
                socket.once('drain', pump)
                return
              }
            }
          }
          pump()
        })
      })
    const [declared, chunked] = await during(() => Promise.all([upload(true), upload(false)]))
    assert.match(declared, /^HTTP\/1\.1 413 /)
    // The backend answers /ok without reading the body: that answer may come before 1 MB did.
    assert.match(chunked, /^HTTP\/1\.1 (413 |200 OK\r\n[^\0]*\{"ok":true\}$)/)
  })

  test('h2c floods: 2,000 rapid resets, then 300 hanging streams on one connection (250 at once, as Go allows): each hanging call ends 500 at the timeout', async () => {
    const open = async () => {
      const session = connectH2(`http://127.0.0.1:${port}`)
      session.on('error', () => {})
      await once(session, 'remoteSettings')
      return session
    }
    const resetter = await open()
    // Go's HTTP/2 server advertises the same limit.
    assert.equal(resetter.remoteSettings.maxConcurrentStreams, 250)
    const flooder = await open()
    const outcome = await during(async () => {
      // Rapid reset: open and cancel 2,000 streams on one session.
      const resetterClosed = new Promise((resolve) => resetter.on('close', resolve))
      for (let i = 0; i < 2000 && !resetter.destroyed && !resetter.closed; i += 1) {
        const stream = resetter.request({ ':path': '/hang' })
        stream.on('error', () => {})
        stream.close()
      }
      // Hanging requests, more than one session may have open at once.
      const answers = await Promise.all(
        Array.from(
          { length: 300 },
          () =>
            new Promise<string>((resolve) => {
              const stream = flooder.request({ ':path': '/hang' })
              stream.on('response', (headers) => resolve(String(headers[':status'])))
              stream.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
              stream.resume()
            }),
        ),
      )
      resetter.close()
      await resetterClosed
      return answers
    })
    // Every hanging backend call ends at the endpoint timeout with 500, as KrakenD answers;
    // a stream over the concurrency limit is refused rather than queued on the server.
    const counts: Record<string, number> = {}
    for (const s of outcome) counts[s] = (counts[s] ?? 0) + 1
    assert.deepEqual(
      Object.keys(counts).filter((s) => s !== '500' && s !== 'ERR_HTTP2_STREAM_ERROR'),
      [],
      JSON.stringify(counts),
    )
    assert.ok((counts['500'] ?? 0) >= 250, JSON.stringify(counts))
    const after = flooder.request({ ':path': '/ok' })
    after.resume()
    const [headers] = await once(after, 'response')
    assert.equal(headers[':status'], 200)
    flooder.close()
  })

  test('backends that hang, close mid-body, send invalid JSON or bad gzip: 500, the others keep being served', async () => {
    const answers = await during(() =>
      Promise.all(['/hang', '/cut', '/invalid', '/badgzip'].map((path) => get(path))),
    )
    for (const answer of answers) assert.deepEqual(answer, { status: 500, body: '' })
  })

  test('a backend streaming 50 MB of JSON: cut at the backend body cap (32 MB), 500; memory stays bounded', async () => {
    const answers = await during(() => Promise.all([get('/huge'), get('/huge')]))
    for (const answer of answers) assert.deepEqual(answer, { status: 500, body: '' })
  })

  test('after all of it: still up, memory bounded (peak RSS under 400 MB)', async (t) => {
    assert.deepEqual(await bystander(3), [200, 200, 200])
    const { peak, now } = memory(gateway.pid as number)
    t.diagnostic(`gateway RSS: peak ${peak.toFixed(0)} MB, now ${now.toFixed(0)} MB`)
    assert.ok(peak < 400, `peak RSS ${peak.toFixed(0)} MB`)
    assert.equal(gateway.exitCode, null)
  })
})
