// The standalone runtime as a real process: flags, exit codes, SIGTERM drain, workers.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { connect as connectH2 } from 'node:http2'
import { type AddressInfo, connect as connectTcp, createServer } from 'node:net'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { Agent, request } from 'undici'
import { tempDir } from '../helpers/files.ts'
import { freePort } from '../helpers/free-port.ts'
import { until } from '../helpers/until.ts'
import { startBackend, type TestBackend } from './helpers.ts'

const main = new URL('../../src/gateway/main.ts', import.meta.url).pathname
const devCli = new URL('../../bin/dev.js', import.meta.url).pathname
const dir = tempDir('gw-proc-')
const badDir = new URL('../fixtures/gateway/bad/', import.meta.url).pathname

interface Proc {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const spawned: Proc[] = []
// A failed assertion must not leave a gateway (or its cluster workers) running: each runs in its
// own process group, killed whole after the tests.
after(() => {
  for (const proc of spawned) {
    if (proc.child.pid === undefined) continue
    try {
      process.kill(-proc.child.pid, 'SIGKILL')
    } catch {
      // the group is gone already
    }
  }
})

function run(args: string[], entry = main, env: NodeJS.ProcessEnv = process.env): Proc {
  return track(
    spawn(process.execPath, [entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env }),
  )
}

function track(child: ChildProcess): Proc {
  let out = ''
  let err = ''
  child.stdout?.on('data', (c) => {
    out += c
  })
  child.stderr?.on('data', (c) => {
    err += c
  })
  const exit = once(child, 'exit').then(
    ([code, signal]) => ({ code, signal }) as { code: number | null; signal: NodeJS.Signals | null },
  )
  const proc = { child, stdout: () => out, stderr: () => err, exit }
  spawned.push(proc)
  return proc
}

async function health(port: number): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  try {
    const res = await request(`http://127.0.0.1:${port}/__health`)
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> }
  } catch {
    return undefined
  }
}

/** The first health answer that no longer says ok: a SIGTERM reaches the worker through the primary. */
async function healthOnceSignalled(port: number): Promise<Awaited<ReturnType<typeof health>>> {
  let answer: Awaited<ReturnType<typeof health>>
  await until(async () => {
    answer = await health(port)
    return answer?.status !== 200
  }, 'health no longer says ok')
  return answer
}

async function waitHealthy(port: number, proc: Proc): Promise<Record<string, unknown>> {
  // A readiness wait, not a speed check: dev-mode start-up of several workers is slow on a busy machine.
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const h = await health(port)
    if (h?.status === 200) return h.body
    if (proc.child.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`gateway never became healthy: ${proc.stderr()} ${proc.stdout()}`)
}

/** A raw keep-alive HTTP/1.1 connection that made one request and now sits idle, like a pooled one. */
async function idleKeepAlive(port: number): Promise<{ closed: Promise<void>; isClosed: () => boolean }> {
  const socket = connectTcp(port, '127.0.0.1')
  let closed = false
  const closedPromise = new Promise<void>((resolve) =>
    socket.on('close', () => {
      closed = true
      resolve()
    }),
  )
  socket.on('error', () => {})
  await once(socket, 'connect')
  socket.write('GET /__health HTTP/1.1\r\nHost: pool\r\n\r\n')
  let text = ''
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      const length = /content-length: (\d+)/i.exec(text)
      if (end >= 0 && length && text.length >= end + 4 + Number(length[1])) resolve()
    })
    socket.on('close', () => reject(new Error(`closed before the answer: ${text}`)))
  })
  assert.match(text, /^HTTP\/1\.1 200 /)
  assert.doesNotMatch(text, /connection: close/i)
  return { closed: closedPromise, isClosed: () => closed }
}

let backend: TestBackend
const configFile = join(dir, 'gateway.json')
after(async () => backend?.close())

/** A backend whose answers to /held wait until the test releases them. */
let releaseHeld = () => {}
let heldRequests = 0
const heldBackend = createHttpServer((_req, res) => {
  heldRequests += 1
  const held = new Promise<void>((resolve) => {
    releaseHeld = resolve
  })
  void held.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"slow":true}'))
})
after(() => heldBackend.closeAllConnections())
after(() => heldBackend.close())

describe('standalone runtime process (src/gateway/main.ts)', () => {
  test('setup: a config and a backend', async () => {
    backend = await startBackend('b', { '/slow': { delay_ms: 700, body: { slow: true } } })
    heldBackend.listen(0, '127.0.0.1')
    await once(heldBackend, 'listening')
    const held = `http://127.0.0.1:${(heldBackend.address() as AddressInfo).port}`
    writeFileSync(
      configFile,
      JSON.stringify({
        version: 3,
        name: 'proc rev-1234567',
        listen_ip: '127.0.0.1',
        extra_config: { 'telemetry/logging': { level: 'ERROR' } },
        endpoints: [
          { endpoint: '/who', backend: [{ host: [backend.origin], url_pattern: '/echo' }] },
          { endpoint: '/slow', backend: [{ host: [backend.origin], url_pattern: '/slow' }] },
          // Held until the test releases it, past lura's 2 s default on a loaded machine.
          { endpoint: '/held', timeout: '30s', backend: [{ host: [held], url_pattern: '/held' }] },
        ],
      }),
    )
    assert.ok(backend.origin)
  })

  test('a bad config exits 2 with the problem and its location on stderr', async () => {
    const proc = run(['--config', join(badDir, 'url-pattern-unknown-param.json'), '--workers', '1'])
    const { code } = await proc.exit
    assert.equal(code, 2)
    assert.match(
      proc.stderr(),
      /url-pattern-unknown-param\.json:\d+:\d+ \(endpoints\[0\]\.backend\[0\]\.url_pattern\)/,
    )
    assert.match(proc.stderr(), /\{user\} in url_pattern/)
  })

  test('backends KrakenD would reach through a proxy of an unknown scheme: exit 2 before listening, naming them; an http proxy starts', async () => {
    const proxied = join(dir, 'proxied.json')
    writeFileSync(
      proxied,
      JSON.stringify({
        version: 3,
        endpoints: [{ endpoint: '/a', backend: [{ host: ['http://10.255.255.1:19'], url_pattern: '/a' }] }],
      }),
    )
    const proc = run(['--config', proxied, '--workers', '1'], main, {
      ...process.env,
      HTTP_PROXY: 'ftp://user:secret@proxy.invalid:21',
    })
    assert.equal((await proc.exit).code, 2)
    assert.match(
      proc.stderr(),
      /through the ftp:\/\/ proxy set in the environment.*http:\/\/10\.255\.255\.1:19/,
    )
    assert.match(proc.stderr(), /NO_PROXY/)
    assert.doesNotMatch(proc.stderr(), /secret/)
    const port = await freePort()
    const allowed = run(
      ['--config', proxied, '--workers', '1', '--port', String(port), '--drain-grace', '0ms'],
      main,
      { ...process.env, HTTP_PROXY: 'http://proxy.invalid:3128' },
    )
    await waitHealthy(port, allowed)
    allowed.child.kill('SIGTERM')
    assert.equal((await allowed.exit).code, 0)
  })

  test('a port in use exits 2 naming the address, with what to do about it', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    after(() => taken.close())
    const port = (taken.address() as AddressInfo).port
    const proc = run(['--config', configFile, '--port', String(port), '--workers', '1'])
    assert.equal((await proc.exit).code, 2)
    assert.match(proc.stderr(), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`))
    assert.match(proc.stderr(), /choose another port with --port or stop what uses it/)
  })

  test('--workers 2 with the port in use: each worker ends, the primary exits 2 (standalone and gwdeploy gateway run)', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    after(() => taken.close())
    const port = String((taken.address() as AddressInfo).port)
    // Under oclif a worker's error only set its exit code: its IPC channel kept it, and so the
    // primary waiting for it, alive and serving nothing.
    for (const proc of [
      run(['--config', configFile, '--port', port, '--workers', '2']),
      run(['gateway', 'run', '-c', configFile, '--port', port, '--workers', '2'], devCli),
    ]) {
      const ended = await Promise.race([
        proc.exit,
        new Promise((resolve) => setTimeout(resolve, 20_000, 'running')),
      ])
      assert.notEqual(ended, 'running', proc.stderr())
      assert.equal((await proc.exit).code, 2, proc.stderr())
      assert.match(
        proc.stderr(),
        /the gateway workers could not start: worker exited with code 2 before listening/,
      )
      assert.match(proc.stderr(), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`))
      assert.doesNotMatch(proc.stdout() + proc.stderr(), /starting another/)
    }
  })

  test('a bad flag exits 2', async () => {
    const proc = run(['--config', configFile, '--drain-grace', 'soon'])
    assert.equal((await proc.exit).code, 2)
    assert.match(proc.stderr(), /--drain-grace must be a duration/)
  })

  test('--workers 1: serves, SIGTERM turns health 503, in-flight finishes, exit 0', async () => {
    const port = await freePort()
    const metricsPort = await freePort()
    const proc = run([
      '--config',
      configFile,
      '--port',
      String(port),
      '--workers',
      '1',
      '--metrics-port',
      String(metricsPort),
      '--drain-grace',
      '500ms',
      '--drain-timeout',
      '5s',
    ])
    const body = await waitHealthy(port, proc)
    assert.equal(body.name, 'proc rev-1234567')
    assert.equal(body.status, 'ok')
    assert.ok(!Number.isNaN(Date.parse(body.started as string)))
    const metrics = await (await request(`http://127.0.0.1:${metricsPort}/metrics`)).body.text()
    assert.match(metrics, /gateway_info\{name="proc rev-1234567",version="[^"]+"\} 1/)
    const slow = request(`http://127.0.0.1:${port}/slow`).then(async (r) => ({
      status: r.statusCode,
      body: await r.body.json(),
    }))
    await until(() => backend.seen.some((r) => r.url === '/slow'), 'the slow request is in flight')
    proc.child.kill('SIGTERM')
    const draining = await healthOnceSignalled(port)
    assert.equal(draining?.status, 503)
    assert.equal(draining?.body.status, 'draining')
    assert.deepEqual(await slow, { status: 200, body: { slow: true } })
    assert.deepEqual(await proc.exit, { code: 0, signal: null })
  })

  test('--workers 2: a SIGTERM while the workers start drains them once they are up, exit 0', async () => {
    const port = await freePort()
    const proc = run([
      '--config',
      configFile,
      '--port',
      String(port),
      '--workers',
      '2',
      '--drain-grace',
      '0ms',
      '--log-level',
      'INFO',
    ])
    // The first worker is up; the primary is still waiting for the second.
    for (let i = 0; i < 400 && !/listening on 127\.0\.0\.1/.test(proc.stdout() + proc.stderr()); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5))
    proc.child.kill('SIGTERM')
    assert.deepEqual(await proc.exit, { code: 0, signal: null }, proc.stdout() + proc.stderr())
  })

  test('--workers 2 --port 0: the primary names the port its workers share', async () => {
    const proc = run(['--config', configFile, '--port', '0', '--workers', '2', '--log-level', 'INFO'])
    let line: RegExpExecArray | null = null
    for (let i = 0; i < 1000 && !line; i += 1) {
      line = /listening on 127\.0\.0\.1:(\d+) with 2 workers/.exec(proc.stdout() + proc.stderr())
      if (!line) await new Promise((resolve) => setTimeout(resolve, 10))
    }
    assert.ok(line, proc.stdout() + proc.stderr())
    const port = Number(line[1])
    assert.ok(port > 0)
    assert.equal((await health(port))?.status, 200)
    proc.child.kill('SIGTERM')
    assert.equal((await proc.exit).code, 0)
  })

  test('a second signal exits at once', async () => {
    const port = await freePort()
    const proc = run([
      '--config',
      configFile,
      '--port',
      String(port),
      '--workers',
      '1',
      '--drain-grace',
      '60s',
    ])
    await waitHealthy(port, proc)
    proc.child.kill('SIGTERM')
    assert.equal((await healthOnceSignalled(port))?.status, 503)
    proc.child.kill('SIGTERM')
    assert.equal((await proc.exit).code, 130)
  })

  test('--workers 2: node:cluster workers share the port; metrics aggregate; SIGTERM drains all, exit 0', async () => {
    const port = await freePort()
    const metricsPort = await freePort()
    const proc = run([
      '--config',
      configFile,
      '--port',
      String(port),
      '--workers',
      '2',
      '--metrics-port',
      String(metricsPort),
      '--drain-grace',
      '200ms',
    ])
    const body = await waitHealthy(port, proc)
    assert.equal(body.name, 'proc rev-1234567')
    for (let i = 0; i < 6; i += 1)
      assert.equal((await request(`http://127.0.0.1:${port}/who`)).statusCode, 200)
    let metrics = ''
    for (let i = 0; i < 40 && !/gateway_info/.test(metrics); i += 1) {
      metrics = await (await request(`http://127.0.0.1:${metricsPort}/metrics`)).body.text()
      if (!/gateway_info/.test(metrics)) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.match(metrics, /gateway_info\{name="proc rev-1234567",version="[^"]+"\} 1\b/)
    const total = [
      ...metrics.matchAll(/^gateway_requests_total\{[^}]*endpoint="\/who"[^}]*\} (\d+)$/gm),
    ].reduce((sum, m) => sum + Number(m[1]), 0)
    assert.equal(total, 6, 'the request counters of both workers are summed')
    proc.child.kill('SIGTERM')
    assert.deepEqual(await proc.exit, { code: 0, signal: null })
  })

  test('gwdeploy gateway check: ok, warnings, --lint and bad configs (exit codes, --json)', async () => {
    const ok = run(['gateway', 'check', '-c', configFile], devCli)
    assert.equal((await ok.exit).code, 0)
    assert.match(ok.stdout(), /ok — "proc rev-1234567", 3 endpoints/)
    const typos = new URL('../fixtures/gateway/lint/typos.json', import.meta.url).pathname
    const warn = run(['gateway', 'check', '-c', typos, '--json'], devCli)
    assert.equal((await warn.exit).code, 0)
    const envelope = JSON.parse(warn.stdout())
    assert.equal(envelope.status, 'ok')
    assert.equal(envelope.result.warnings.length, 5)
    const lint = run(['gateway', 'check', '-c', typos, '--lint'], devCli)
    assert.equal((await lint.exit).code, 2)
    assert.match(lint.stderr(), /did you mean "timeout"/)
    const bad = run(['gateway', 'check', '-c', join(badDir, 'duplicate-endpoint.json'), '--json'], devCli)
    assert.equal((await bad.exit).code, 2)
    const error = JSON.parse(bad.stdout()).error
    assert.equal(error.problems[0].location.path, 'endpoints[2].endpoint')
  })

  test('gwdeploy gateway run serves and drains on SIGTERM', async () => {
    const port = await freePort()
    const proc = run(
      [
        'gateway',
        'run',
        '-c',
        configFile,
        '--port',
        String(port),
        '--workers',
        '1',
        '--drain-grace',
        '100ms',
      ],
      devCli,
    )
    const body = await waitHealthy(port, proc)
    assert.equal(body.name, 'proc rev-1234567')
    proc.child.kill('SIGTERM')
    assert.equal((await proc.exit).code, 0)
  })
  test('--workers 1: out of file descriptors (EMFILE) is logged; silent connections are cut by the header timeout and it recovers', async () => {
    const port = await freePort()
    const limited = join(dir, 'limited.json')
    writeFileSync(
      limited,
      JSON.stringify({
        version: 3,
        name: 'limited',
        listen_ip: '127.0.0.1',
        read_header_timeout: '5s',
        extra_config: { 'telemetry/logging': { level: 'ERROR' } },
        endpoints: [{ endpoint: '/who', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
      }),
    )
    // The same runtime with at most 128 open files.
    const proc = track(
      spawn(
        '/bin/sh',
        [
          '-c',
          'ulimit -n 128 && exec "$0" "$@"',
          process.execPath,
          main,
          '-c',
          limited,
          '--port',
          String(port),
          '--workers',
          '1',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
      ),
    )
    await waitHealthy(port, proc)
    // 200 connections that never send a byte: more than the 128 descriptors allowed.
    const silent = Array.from({ length: 200 }, () => {
      const socket = connectTcp(port, '127.0.0.1')
      socket.on('error', () => {})
      return socket
    })
    // All of them at once (the kernel completes the handshakes; the gateway accepts what it can).
    await Promise.all(
      silent.map(
        (socket) => new Promise((resolve) => socket.once('connect', resolve).once('close', resolve)),
      ),
    )
    try {
      for (let i = 0; i < 300 && !/EMFILE/.test(proc.stdout()); i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50))
      assert.match(
        proc.stdout(),
        /EMFILE.*\b\d+ of 128\b.*new connections are refused.*raise the open-files limit \(ulimit -n\)/,
      )
      // The header timeout closes the silent ones: health answers again although no client left.
      assert.equal((await waitHealthy(port, proc)).name, 'limited')
      assert.equal(proc.child.exitCode, null)
    } finally {
      for (const socket of silent) socket.destroy()
      proc.child.kill('SIGKILL')
    }
  })

  for (const workers of [1, 2]) {
    test(`gwdeploy gateway run --workers ${workers}: after the grace idle pooled connections (h1 and h2c) are closed in every worker and it exits once in-flight work ends, long before a 60s drain timeout`, async () => {
      const port = await freePort()
      const proc = run(
        [
          'gateway',
          'run',
          '-c',
          configFile,
          '--port',
          String(port),
          '--workers',
          String(workers),
          '--drain-grace',
          '300ms',
          '--drain-timeout',
          '60s',
          '--log-level',
          'INFO',
        ],
        devCli,
      )
      await waitHealthy(port, proc)
      // What a load balancer's pool looks like: keep-alive connections spread over the workers.
      const pooled = await Promise.all(Array.from({ length: 4 }, () => idleKeepAlive(port)))
      const session = connectH2(`http://127.0.0.1:${port}`)
      session.on('error', () => {})
      let goaway = false
      session.on('goaway', () => {
        goaway = true
      })
      const sessionClosed = once(session, 'close')
      const stream = session.request({ ':path': '/__health' })
      stream.resume()
      const [h2headers] = await once(stream, 'response')
      assert.equal(h2headers[':status'], 200)
      await once(stream, 'end')
      // One request in flight across the signal: its backend answers once every worker drains.
      const agent = new Agent({ keepAliveTimeout: 600_000 })
      const heldBefore = heldRequests
      const slow = request(`http://127.0.0.1:${port}/held`, { dispatcher: agent }).then(async (r) => ({
        status: r.statusCode,
        connection: r.headers.connection,
        body: await r.body.json(),
      }))
      // In flight for sure (and releaseHeld its own) before the signal.
      await until(() => heldRequests > heldBefore, 'the held request reached its backend')
      proc.child.kill('SIGTERM')
      // Closed by the workers after the grace while the held request keeps them running: after the
      // exit, a close already sent could still be on its way to this process.
      await until(
        () => pooled.every((connection) => connection.isClosed()),
        'the idle pooled connections are closed',
      )
      releaseHeld()
      // Bounded so a regression fails here instead of waiting for the 60 s drain timeout.
      let bound: NodeJS.Timeout | undefined
      const exit = await Promise.race([
        proc.exit,
        new Promise((resolve) => {
          bound = setTimeout(() => resolve('still running 45 s after SIGTERM'), 45_000)
        }),
      ])
      clearTimeout(bound)
      assert.deepEqual(exit, { code: 0, signal: null }, proc.stdout())
      assert.deepEqual(await slow, { status: 200, connection: 'close', body: { slow: true } })
      await sessionClosed
      assert.equal(goaway, true, 'the h2c session got GOAWAY')
      assert.equal(proc.stdout().match(/stopped cleanly/g)?.length, workers, proc.stdout())
      assert.doesNotMatch(proc.stdout(), /drain timeout/)
      await agent.close()
    })
  }
})
