import assert from 'node:assert/strict'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import http from 'node:http'
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Pool } from 'undici'
import { getRouterState, putRoutes } from '../../../src/providers/local/admin.ts'
import { FrontProxy } from '../../../src/providers/local/router-proxy.ts'
import { freePort } from '../../core/helpers/project.ts'

async function backend(name: string): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer((req, res) => {
    if (req.method === 'POST') {
      let body = ''
      req.on('data', (c: Buffer) => {
        body += c.toString()
      })
      req.on('end', () => res.end(JSON.stringify({ name, echo: body })))
      return
    }
    res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive' })
    res.end(JSON.stringify({ name, path: req.url, host: req.headers['x-forwarded-host'] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

function h2get(session: http2.ClientHttp2Session, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path })
    let status = 0
    let body = ''
    stream.on('response', (headers) => {
      status = Number(headers[':status'])
    })
    stream.on('data', (c: Buffer) => {
      body += c.toString()
    })
    stream.on('end', () => resolve({ status, body }))
    stream.on('error', reject)
    stream.end()
  })
}

describe('local front proxy (in process)', () => {
  let dir: string
  let proxy: FrontProxy
  let port: number
  let blue: { server: http.Server; origin: string }
  let green: { server: http.Server; origin: string }
  const admin = () => join(dir, 'router.sock')

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwd-router-'))
    blue = await backend('blue')
    green = await backend('green')
    port = await freePort()
    proxy = new FrontProxy({
      listenHost: '127.0.0.1',
      listenPort: port,
      adminSocket: admin(),
      routesFile: join(dir, 'routes.json'),
    })
    await proxy.start()
  })
  after(async () => {
    await proxy.close()
    for (const b of [blue, green]) {
      b.server.closeAllConnections()
      b.server.close()
    }
    await rm(dir, { recursive: true, force: true })
  })

  it('answers 503 while no colour serves; the admin socket is private (0600)', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/x`)
    assert.equal(response.status, 503)
    const mode = (await stat(admin())).mode & 0o777
    assert.equal(mode, 0o600)
  })

  it('forwards HTTP/1.1 and h2c to the weighted colour, and switches atomically', async () => {
    await putRoutes(admin(), {
      revision: 1,
      preview: 'green',
      colours: { blue: { weight: 100, nodes: [blue.origin] }, green: { weight: 0, nodes: [green.origin] } },
    })
    const h1 = (await fetch(`http://127.0.0.1:${port}/a?b=1`).then((r) => r.json())) as {
      name: string
      path: string
      host: string
    }
    assert.deepEqual(h1, { name: 'blue', path: '/a?b=1', host: `127.0.0.1:${port}` })
    const session = http2.connect(`http://127.0.0.1:${port}`)
    try {
      const h2 = await h2get(session, '/h2')
      assert.equal(h2.status, 200)
      assert.equal(JSON.parse(h2.body).name, 'blue')
      await putRoutes(admin(), {
        revision: 2,
        preview: null,
        colours: { blue: { weight: 0, nodes: [blue.origin] }, green: { weight: 100, nodes: [green.origin] } },
      })
      // Same h2 session and the same keep-alive pool: the next request already goes to green.
      assert.equal(JSON.parse((await h2get(session, '/h2')).body).name, 'green')
      const again = (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.json())) as { name: string }
      assert.equal(again.name, 'green')
    } finally {
      session.close()
    }
  })

  it('splits by weight and counts requests per colour', async () => {
    await putRoutes(admin(), {
      revision: 3,
      preview: null,
      colours: { blue: { weight: 50, nodes: [blue.origin] }, green: { weight: 50, nodes: [green.origin] } },
    })
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 2 })
    const seen = { blue: 0, green: 0 } as Record<string, number>
    for (let i = 0; i < 200; i++) {
      const { body } = await pool.request({ method: 'GET', path: '/' })
      const name = ((await body.json()) as { name: string }).name
      seen[name] = (seen[name] ?? 0) + 1
    }
    await pool.close()
    assert.ok((seen.blue ?? 0) > 40 && (seen.green ?? 0) > 40, JSON.stringify(seen))
    const state = await getRouterState(admin())
    assert.ok(state.stats.blue.requests >= (seen.blue ?? 0))
  })

  it('the preview listener reaches the preview colour only; request bodies pass through', async () => {
    await putRoutes(admin(), {
      revision: 4,
      preview: 'green',
      colours: { blue: { weight: 100, nodes: [blue.origin] }, green: { weight: 0, nodes: [green.origin] } },
    })
    const previewPort = proxy.previewPort
    const viaPreview = (await fetch(`http://127.0.0.1:${previewPort}/`).then((r) => r.json())) as {
      name: string
    }
    assert.equal(viaPreview.name, 'green')
    const posted = (await fetch(`http://127.0.0.1:${port}/p`, { method: 'POST', body: 'hello' }).then((r) =>
      r.json(),
    )) as { name: string; echo: string }
    assert.deepEqual(posted, { name: 'blue', echo: 'hello' })
  })

  it('a dead node is retried on another node of the colour (idempotent requests)', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`
    await putRoutes(admin(), {
      revision: 5,
      preview: null,
      colours: { blue: { weight: 100, nodes: [dead, blue.origin] } },
    })
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/`)
      assert.equal(response.status, 200)
      await response.text()
    }
  })

  it('rejects an invalid table', async () => {
    await assert.rejects(
      putRoutes(admin(), { revision: 6, preview: null, colours: { blue: { weight: 300, nodes: [] } } }),
      /400/,
    )
    await assert.rejects(
      putRoutes(admin(), {
        revision: 6,
        preview: null,
        colours: { blue: { weight: 0, nodes: [], health: '__health' } },
      }),
      /400/,
    )
  })
})
