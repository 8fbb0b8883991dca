import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { envelope, RUN_JS, runCli } from '../helpers/cli.ts'

// An API server that accepts the connection and never answers (a stuck kube-apiserver, a load
// balancer with no healthy backend): each API call used to wait for undici's 300 s header timeout.
// Every ordinary call is now bounded by GWDEPLOY_KUBE_API_TIMEOUT (default 30 s; 1 s here).
describe('kubernetes provider: an API server that never answers', () => {
  let dir: string
  let server: Server
  let port: number
  const sockets = new Set<Socket>()
  let accepted = 0
  /** The request lines received (`POST /apis/...`), none of them ever answered. */
  const requests: string[] = []

  before(async () => {
    server = createServer((socket) => {
      accepted++
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => sockets.delete(socket))
      // Reads the request, answers nothing.
      socket.on('data', (chunk: Buffer) => {
        const line = /^[A-Z]+ \S+ HTTP\/1\.1/m.exec(chunk.toString('latin1'))
        if (line) requests.push(line[0])
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as { port: number }).port
    dir = await mkdtemp(join(tmpdir(), 'gwd-k8s-hang-'))
    await writeFile(join(dir, 'gateway.json'), JSON.stringify({ version: 3, name: 'hang', endpoints: [] }))
    await writeFile(
      join(dir, 'gwdeploy.yml'),
      stringify({
        service: 'hang',
        gateway: { config: 'gateway.json' },
        image: { repository: '127.0.0.1:5000/gwdeploy-test/hang' },
        provider: { kind: 'kubernetes', kubernetes: { kubeconfig: 'kubeconfig.yaml', namespace: 'hang-ns' } },
      }),
    )
    await writeFile(
      join(dir, 'kubeconfig.yaml'),
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 't', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } },
        ],
        users: [{ name: 'u', user: { token: 'not-a-secret' } }],
        contexts: [{ name: 't', context: { cluster: 't', user: 'u', namespace: 'hang-ns' } }],
        'current-context': 't',
      }),
    )
  })

  after(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
    await rm(dir, { recursive: true, force: true })
  })

  // Bounded well below the old 300 s wait: a CLI still waiting after 60 s has exitCode null.
  const run = (args: string[]) =>
    runCli(args, { cwd: dir, env: { KUBECONFIG: '', GWDEPLOY_KUBE_API_TIMEOUT: '1' }, timeoutMs: 60_000 })

  for (const args of [['status'], ['rollback'], ['history']]) {
    it(`${args[0]} exits 6 naming the API server and the call that got no answer`, async () => {
      const connections = accepted
      const result = await run([...args, '--json'])
      const error = envelope(result).error
      assert.equal(result.exitCode, 6, `${result.stdout}\n${result.stderr}`)
      assert.equal(error?.exitCode, 6)
      assert.match(
        error?.message ?? '',
        new RegExp(
          `^kubernetes: [a-z]+ [A-Za-z]+ hang-ns/?[^:]*: API server http://127\\.0\\.0\\.1:${port} did not answer within 1 s$`,
        ),
      )
      assert.match(error?.hint ?? '', /GWDEPLOY_KUBE_API_TIMEOUT/)
      assert.ok(accepted > connections, 'the CLI connected to the silent server')
    })
  }

  it('a GWDEPLOY_KUBE_API_TIMEOUT that is not a number of seconds is exit 2, nothing asked', async () => {
    const connections = accepted
    const result = await runCli(['status', '--json'], {
      cwd: dir,
      env: { KUBECONFIG: '', GWDEPLOY_KUBE_API_TIMEOUT: '5m' },
      timeoutMs: 60_000,
    })
    assert.equal(result.exitCode, 2, `${result.stdout}\n${result.stderr}`)
    assert.match(
      envelope(result).error?.message ?? '',
      /GWDEPLOY_KUBE_API_TIMEOUT="5m" is not a number of seconds/,
    )
    assert.equal(accepted, connections, 'no API call was made')
  })

  // SIGTERM (a CI cancel; Ctrl-C is SIGINT, handled alike) while a call waits for its answer: the
  // call is stopped at once and the run ends with exit 130. It used to wait out the per-call
  // deadline (120 s here) before it noticed (the lock commands, abort and status --watch until they
  // were given the run's signal too).
  const deployments = /^GET \/apis\/apps\/v1\/namespaces\/hang-ns\/deployments\//
  const leaseRead = /^GET \/apis\/coordination\.k8s\.io\/v1\/namespaces\/hang-ns\/leases\//
  const leaseCreate = /^POST \/apis\/coordination\.k8s\.io\/v1\/namespaces\/hang-ns\/leases/
  for (const [args, call] of [
    [['status'], deployments],
    [['status', '--watch'], deployments],
    [['rollback'], leaseCreate],
    [['lock', 'status'], leaseRead],
    [['lock', 'release', '--force'], leaseRead],
    [['lock', 'acquire', '-m', 'hands off'], leaseCreate],
    [['abort'], leaseRead],
  ] as const) {
    const command = args.join(' ')
    it(`${command}: SIGTERM during an unanswered API call stops it with exit 130, not at the call's deadline`, async () => {
      const seen = requests.length
      const child = spawn(process.execPath, [RUN_JS, ...args], {
        cwd: dir,
        env: { ...process.env, CI: 'true', KUBECONFIG: '', GWDEPLOY_KUBE_API_TIMEOUT: '120' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk
      })
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
      try {
        // Until the call is in flight on the silent server (bounded: the CLI starts in seconds).
        for (let waited = 0; !requests.slice(seen).some((r) => call.test(r)); waited += 100) {
          assert.ok(
            waited < 60_000,
            `no ${call} request reached the server: ${requests.slice(seen).join(', ')}\n${stderr}`,
          )
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        child.kill('SIGTERM')
        // Well before the 120 s deadline: a CLI still waiting for its call after 30 s has not stopped it.
        const code = await Promise.race([
          exited,
          new Promise<'still running'>((resolve) =>
            setTimeout(() => resolve('still running'), 30_000).unref(),
          ),
        ])
        assert.equal(code, 130, stderr)
        assert.match(stderr, /SIGTERM: stopping and cleaning up/)
        assert.match(stderr, /interrupted by SIGTERM/)
        assert.doesNotMatch(stderr, /did not answer within/)
      } finally {
        child.kill('SIGKILL')
      }
    })
  }
})
