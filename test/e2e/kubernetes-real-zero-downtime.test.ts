import assert from 'node:assert/strict'
import { get } from 'node:http'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { startHealthLoad } from '../helpers/health-load.ts'
import { makeRealKubeProject, type RealKubeProject, sha } from '../providers/kubernetes/real-project.ts'

const CYCLES = 3

/** `/__health` over a new TCP connection per request, the way most clients meet a Service switch. */
function startFreshConnectionLoad(origin: URL, loops: number) {
  let stopped = false
  let ok = 0
  const failures: string[] = []
  const names: string[] = []
  const once = () =>
    new Promise<void>((resolve) => {
      const req = get(
        { host: origin.hostname, port: origin.port || 80, path: '/__health', agent: false, timeout: 5_000 },
        (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => {
            body += chunk
          })
          res.on('end', () => {
            if (res.statusCode !== 200) failures.push(`${res.statusCode} ${body}`)
            else {
              ok += 1
              const name = (JSON.parse(body) as { name: string }).name
              if (names.at(-1) !== name) names.push(name)
            }
            resolve()
          })
        },
      )
      req.on('timeout', () => req.destroy(new Error('timed out')))
      req.on('error', (error) => {
        failures.push(error.message)
        resolve()
      })
    })
  const loop = async () => {
    while (!stopped && failures.length < 50) {
      await once()
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  const running = Array.from({ length: loops }, loop)
  return {
    failures,
    names,
    ok: () => ok,
    async stop() {
      stopped = true
      await Promise.all(running)
    },
  }
}

/** Until `/__health` over a NEW connection answers `name` (an open one stays where it was routed). */
async function waitForName(origin: URL, name: string): Promise<void> {
  const probe = startFreshConnectionLoad(origin, 1)
  try {
    for (let waited = 0; probe.names.at(-1) !== name && waited < 30_000; waited += 100)
      await new Promise((r) => setTimeout(r, 100))
  } finally {
    await probe.stop()
  }
  assert.equal(probe.names.at(-1), name, `${origin.origin}: ${probe.failures.slice(-3).join('; ')}`)
}

// Zero failed requests through the live Service's ClusterIP, reached from this machine through
// kube-proxy's rules (the path an in-cluster client uses), during release -> rollback cycles
// against the real cluster. New connections follow each switch; keep-alive connections (h1 pool
// and one h2c session) stay on the pods they were opened to — Kubernetes moves no established
// connection — and those pods stay up as the previous colour, so they must not fail either.
describe('kubernetes against a real cluster: zero failed requests through the ClusterIP over release/rollback cycles', () => {
  let project: RealKubeProject
  before(async () => {
    project = await makeRealKubeProject()
  })
  after(async () => {
    await project?.cleanup()
  })

  it(`${CYCLES} release -> rollback cycles under continuous load`, async () => {
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.exitCode, 0, first.stderr)
    const service = await project.get(`/api/v1/namespaces/${project.namespace}/services/${project.service}`)
    const origin = new URL(`http://${service.spec.clusterIP}:${service.spec.ports[0].port}`)
    const blueName = `${project.service} rev-${sha(1).slice(0, 7)}`
    // A new Service's ClusterIP answers once kube-proxy has written its rules (about a second).
    await waitForName(origin, blueName)

    const fresh = startFreshConnectionLoad(origin, 2)
    const kept = startHealthLoad(origin.origin, { h1: 2, h2: 1 })
    try {
      for (let i = 0; i < CYCLES && fresh.failures.length + kept.failures.length === 0; i++) {
        const released = await project.run(['release', '--sha', sha(10 + i)])
        assert.equal(released.exitCode, 0, released.stderr)
        const rolled = await project.run(['rollback'])
        assert.equal(rolled.exitCode, 0, rolled.stderr)
      }
      await kept.settle(30)
      // kube-proxy applies the last switch to new connections within about a second.
      for (let waited = 0; fresh.names.at(-1) !== blueName && waited < 10_000; waited += 100)
        await new Promise((r) => setTimeout(r, 100))
    } finally {
      await fresh.stop()
      await kept.stop()
    }
    assert.deepEqual(fresh.failures, [], 'new-connection requests that failed')
    assert.deepEqual(kept.failures, [], 'keep-alive requests that failed')
    assert.ok(fresh.ok() > 50 && kept.ok() > 100, `load ran (${fresh.ok()} + ${kept.ok()} requests)`)
    assert.equal(fresh.names[0], blueName, JSON.stringify(fresh.names))
    assert.equal(fresh.names.at(-1), blueName, JSON.stringify(fresh.names))
    const switches = fresh.names.filter((name) => name !== blueName).length
    assert.ok(switches >= CYCLES, `saw ${switches} switches to green in ${JSON.stringify(fresh.names)}`)
    assert.deepEqual(kept.names, [blueName], 'keep-alive connections stay on the pods they were opened to')
  })

  // A connection made before kube-proxy has programmed a new Service must not poison a later
  // connection from the same source port (the test network refuses it before conntrack keeps it).
  it('a ClusterIP dialled before kube-proxy programs it works afterwards from the same source port', async () => {
    const live = await project.get(`/api/v1/namespaces/${project.namespace}/services/${project.service}`)
    const created = await project.cluster.call('POST', `/api/v1/namespaces/${project.namespace}/services`, {
      metadata: { name: 'early-dial' },
      spec: { selector: live.spec.selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    })
    assert.equal(created.status, 201, created.body)
    const origin = new URL(
      `http://${(JSON.parse(created.body) as { spec: { clusterIP: string } }).spec.clusterIP}`,
    )
    // A port below the ephemeral range (32768-60999), so no other connection of this machine takes it.
    let localPort = 0
    let early = 'EADDRINUSE'
    for (let tries = 0; early === 'EADDRINUSE' && tries < 20; tries++) {
      localPort = 20_000 + Math.floor(Math.random() * 10_000)
      early = await dialOnce(origin.hostname, localPort)
    }
    await waitForName(origin, `${project.service} rev-${sha(1).slice(0, 7)}`)
    assert.equal(await dialOnce(origin.hostname, localPort), 'connected', `the early dial answered: ${early}`)
  })
})

/** One TCP connect to host:80 from `localPort`: 'connected' or the error code. */
function dialOnce(host: string, localPort: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port: 80, localAddress: '0.0.0.0', localPort, timeout: 10_000 })
    socket.on('connect', () => {
      // A reset leaves no TIME_WAIT behind: the port can be dialled from again at once.
      socket.resetAndDestroy()
      resolve('connected')
    })
    socket.on('timeout', () => {
      socket.destroy()
      resolve('timed out')
    })
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}
