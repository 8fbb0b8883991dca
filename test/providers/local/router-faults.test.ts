/**
 * Front proxy faults (issue 20): a dead node stays in rotation and POSTs to it fail; an early
 * 4xx (a node refusing a large upload, `Expect: 100-continue` from curl) came back as 502 and
 * counted as a green error; every body was buffered up to 16 MB.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { putRoutes } from '../../../src/providers/local/admin.ts'
import { FrontProxy } from '../../../src/providers/local/router-proxy.ts'
import { freePort } from '../../core/helpers/project.ts'

interface Backend {
  server: http.Server
  origin: string
  firstBytes: Promise<void>
}

/** POST /count and /stream answer the number of body bytes (/stream also signals its first bytes); GET-only elsewhere (405 without reading the body). */
async function backend(): Promise<Backend> {
  let seen!: () => void
  const firstBytes = new Promise<void>((resolve) => {
    seen = resolve
  })
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && (req.url === '/count' || req.url === '/stream')) {
      let bytes = 0
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        if (req.url === '/stream') seen()
      })
      req.on('end', () => res.end(String(bytes)))
      return
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' })
      res.end('405 method not allowed')
      return
    }
    res.end('ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, firstBytes }
}

describe('local front proxy faults', () => {
  let dir: string
  let proxy: FrontProxy
  let port: number
  let node: Backend
  const admin = () => join(dir, 'router.sock')

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwd-router-faults-'))
    node = await backend()
    port = await freePort()
    proxy = new FrontProxy({
      listenHost: '127.0.0.1',
      listenPort: port,
      adminSocket: admin(),
      routesFile: join(dir, 'routes.json'),
      headerTimeoutMs: 500,
    })
    await proxy.start()
  })
  after(async () => {
    await proxy.close()
    node.server.closeAllConnections()
    node.server.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('connections that send nothing, one byte or half a request are closed without a reply; whole requests are served', async () => {
    await putRoutes(admin(), {
      revision: 1,
      preview: null,
      colours: { blue: { weight: 100, nodes: [node.origin] } },
    })
    const silent = async (bytes: string): Promise<string> => {
      const socket = connect(port, '127.0.0.1')
      socket.on('error', () => {})
      let answer = ''
      socket.on('data', (c: Buffer) => {
        answer += c.toString('latin1')
      })
      await once(socket, 'connect')
      if (bytes) socket.write(bytes)
      // Bounded: closed by the proxy's 500 ms deadline, or the test gives up after 15 s.
      const bound = setTimeout(() => socket.destroy(new Error('still open after 15 s')), 15_000)
      const [hadError] = (await once(socket, 'close')) as [boolean]
      clearTimeout(bound)
      assert.equal(hadError, false, 'closed by the proxy, not by the test')
      return answer
    }
    const answers = await Promise.all([
      silent(''),
      silent('G'),
      silent('GET / HTTP/1.1\r\nHost: x\r\n'),
      silent('PRI * HTTP/2.0\r\n'),
    ])
    assert.deepEqual(answers.slice(0, 3), ['', '', ''])
    // h2c: at most the server's own SETTINGS frame (type 4), which opens every session.
    assert.ok(answers[3] === '' || answers[3]?.slice(3, 4) === '\x04', JSON.stringify(answers[3]))
    // A keep-alive connection that made a request is not cut by the accept deadline.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const get = () =>
      new Promise<number>((resolve, reject) =>
        http
          .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode ?? 0))
          })
          .on('error', reject),
      )
    assert.equal(await get(), 200)
    await new Promise((resolve) => setTimeout(resolve, 800))
    assert.equal(await get(), 200)
    agent.destroy()
  })

  it('a refused connection is retried for any method and the dead node leaves rotation', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`
    await putRoutes(admin(), {
      revision: 1,
      preview: null,
      colours: { blue: { weight: 100, nodes: [dead, node.origin] } },
    })
    const before = proxy.snapshot().stats.blue.errors
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/count`, { method: 'POST', body: 'abc' })
      assert.equal(response.status, 200)
      assert.equal(await response.text(), '3')
    }
    assert.equal(proxy.snapshot().stats.blue.errors, before, 'a refused connection is not an answer')
    assert.deepEqual(proxy.snapshot().down, [dead])
  })

  it('a node that accepts connections and never answers leaves rotation after its health checks fail, and comes back', async () => {
    let hung = true
    const held: http.ServerResponse[] = []
    const sick = http.createServer((req, res) => {
      if (hung) held.push(res)
      else res.end(req.url === '/__health' ? '{"status":"ok"}' : 'sick node')
    })
    await new Promise<void>((resolve) => sick.listen(0, '127.0.0.1', resolve))
    const sickOrigin = `http://127.0.0.1:${(sick.address() as AddressInfo).port}`
    const until = async (what: string, done: () => boolean) => {
      for (const deadline = Date.now() + 20_000; !done(); ) {
        assert.ok(Date.now() < deadline, `${what} within 20 s`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    const bodies = async (count: number) => {
      const seen: string[] = []
      for (let i = 0; i < count; i++) {
        const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) })
        seen.push(await response.text())
      }
      return seen
    }
    try {
      await putRoutes(admin(), {
        revision: 4,
        preview: null,
        colours: { blue: { weight: 100, nodes: [sickOrigin, node.origin], health: '/__health' } },
      })
      await until('the hung node taken out', () => proxy.snapshot().down.includes(sickOrigin))
      assert.deepEqual(await bodies(6), Array(6).fill('ok'), 'no request goes to the hung node')
      hung = false
      await until('the node back in rotation', () => !proxy.snapshot().down.includes(sickOrigin))
      assert.ok((await bodies(4)).includes('sick node'), 'the node answers again once back')
    } finally {
      for (const res of held) res.destroy()
      sick.closeAllConnections()
      sick.close()
    }
  })

  it('an early 405 to a large upload (curl sends Expect: 100-continue) passes through and is no error', async () => {
    await putRoutes(admin(), {
      revision: 2,
      preview: null,
      colours: { green: { weight: 100, nodes: [node.origin] } },
    })
    const file = join(dir, 'upload.bin')
    await writeFile(file, Buffer.alloc(2 * 1024 * 1024, 97))
    const { stdout } = await promisify(execFile)('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-X',
      'POST',
      '--data-binary',
      `@${file}`,
      `http://127.0.0.1:${port}/v1/ping`,
    ])
    assert.equal(stdout, '405')
    const response = await fetch(`http://127.0.0.1:${port}/v1/ping`, {
      method: 'POST',
      body: Buffer.alloc(2 * 1024 * 1024, 98),
    })
    assert.equal(response.status, 405)
    await response.text()
    assert.equal(proxy.snapshot().stats.green.errors, 0)
  })

  it('streams request bodies: the node sees bytes before the upload ends; more than 16 MB passes', async () => {
    await putRoutes(admin(), {
      revision: 3,
      preview: null,
      colours: { blue: { weight: 100, nodes: [node.origin] } },
    })
    const size = 20 * 1024 * 1024
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/stream', headers: { 'content-length': size } },
        (res) => {
          let body = ''
          res.on('data', (c: Buffer) => {
            body += c.toString()
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        },
      )
      req.on('error', reject)
      req.write(Buffer.alloc(64 * 1024, 1))
      // The rest only once the node has seen the first bytes: a buffering proxy never gets there.
      const timer = setTimeout(
        () => req.destroy(new Error('the node saw no bytes while the upload was open')),
        10_000,
      )
      void node.firstBytes.then(() => {
        clearTimeout(timer)
        req.end(Buffer.alloc(size - 64 * 1024, 2))
      })
    })
    const { status, body } = await answer
    assert.equal(status, 200)
    assert.equal(body, String(size))
  })
})
