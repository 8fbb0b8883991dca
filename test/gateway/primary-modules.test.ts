// A node:cluster primary accepts connections and aggregates metrics; it never serves a request, so
// it must not load the request path (backend client, HTTP/2, components): checked in a real
// primary with two real workers, each process recording every module it resolves.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir } from '../helpers/files.ts'
import { freePort, RECORD_RESOLVED_MODULES } from './helpers.ts'

const runtime = new URL('../../src/gateway/runtime.ts', import.meta.url).href
const REQUEST_PATH = ['/src/gateway/app.ts', '/src/gateway/server.ts', '/node_modules/undici/', 'node:http2']

// Run as the primary (prints what it resolved once its workers listen) and, re-run by
// cluster.fork, as each worker (prints whether it resolved the request path, then serves).
const script = `${RECORD_RESOLVED_MODULES}
import cluster from 'node:cluster'
const requestPath = (url) => ${JSON.stringify(REQUEST_PATH)}.some((part) => url.includes(part))
const { runGateway } = await import('${runtime}')
const running = await runGateway({ configFile: process.argv[2], workers: 2, drainGraceMs: 0, metricsPort: Number(process.argv[3]) })
const loaded = [...resolved].filter(requestPath)
if (cluster.isPrimary) {
  console.log(JSON.stringify({ primary: loaded }))
  running.stop()
  process.exitCode = await running.done
} else {
  console.log(JSON.stringify({ worker: loaded.length > 0 }))
}
`

test('a cluster primary does not load the request path; its workers do', async () => {
  const dir = tempDir('gw-primary-')
  const file = join(dir, 'primary.mjs')
  writeFileSync(file, script)
  writeFileSync(
    join(dir, 'gateway.json'),
    JSON.stringify({
      version: 3,
      name: 'primary',
      port: await freePort(),
      listen_ip: '127.0.0.1',
      endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] }],
    }),
  )
  const out = execFileSync(process.execPath, [file, join(dir, 'gateway.json'), String(await freePort())], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  const lines = out
    .split('\n')
    .filter((line) => line.startsWith('{"'))
    .map((line) => JSON.parse(line) as { primary?: string[]; worker?: boolean })
  assert.deepEqual(
    lines.filter((l) => 'worker' in l),
    [{ worker: true }, { worker: true }],
  )
  assert.deepEqual(lines.find((l) => 'primary' in l)?.primary, [])
})
