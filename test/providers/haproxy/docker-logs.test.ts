/**
 * The haproxy provider's node logs on the real test dockerd: a container that keeps logging
 * (stdout and stderr), read through DockerFleet.streamLogs: the last N lines, then following.
 */
import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type Dockerode from 'dockerode'
import { processConnectionEnvironment } from '../../../src/providers/haproxy/docker-connection.ts'
import { DockerFleet } from '../../../src/providers/haproxy/docker-fleet.ts'
import { StateStore } from '../../../src/providers/haproxy/state.ts'
import { testDocker, uniqueName } from '../../helpers/docker.ts'
import { requireBaseImage, requireDocker } from '../../helpers/services.ts'

const SCRIPT = `
for (let i = 1; i <= 5; i++) console.log('early ' + i)
console.error('to stderr')
let n = 0
setInterval(() => console.log('tick ' + ++n), 100)
`

describe('haproxy: docker logs of a node', () => {
  let docker: Dockerode
  let container: Dockerode.Container
  let fleet: DockerFleet
  let host: string

  before(async () => {
    host = (await requireDocker()).host
    docker = (await testDocker()).docker
    container = await docker.createContainer({
      Image: await requireBaseImage(),
      name: uniqueName('gwdeploy-test-logs'),
      Entrypoint: ['node', '-e', SCRIPT],
      Cmd: [],
    })
    await container.start()
    fleet = new DockerFleet([{ host, publishAddress: '127.0.0.1' }], {
      target: 'logs-test',
      // Reading logs never touches the target's state.
      store: new StateStore(join(tmpdir(), uniqueName('gwd-logs-state')), 'logs-test'),
      restartPolicy: 'no',
      port: 8080,
      environment: processConnectionEnvironment(),
      timeoutMs: 30_000,
    })
  })
  after(async () => {
    await container?.remove({ force: true }).catch(() => {})
  })

  const node = () => ({ id: container.id, meta: { host } })

  it('reads the last lines of stdout and stderr together', async () => {
    const lines: string[] = []
    // Wait until the container has logged its first lines and a tick.
    for (let i = 0; i < 100 && !lines.some((l) => l.startsWith('tick')); i++) {
      lines.length = 0
      for await (const line of fleet.streamLogs(node(), { lines: 0, follow: false })) lines.push(line)
      if (!lines.some((l) => l.startsWith('tick'))) await new Promise((r) => setTimeout(r, 100))
    }
    // dockerd reads stdout and stderr in separate goroutines: each stream keeps its order, the
    // interleaving of lines written microseconds apart is not guaranteed.
    const first = lines.slice(0, 6)
    assert.deepEqual(
      first.filter((l) => l !== 'to stderr'),
      ['early 1', 'early 2', 'early 3', 'early 4', 'early 5'],
    )
    assert.ok(first.includes('to stderr'), first.join('\n'))
    const last = []
    for await (const line of fleet.streamLogs(node(), { lines: 2, follow: false })) last.push(line)
    assert.equal(last.length, 2)
    assert.match(last[1] ?? '', /^tick \d+$/)
  })

  it('follows new lines until the signal aborts', async () => {
    const abort = new AbortController()
    const seen: string[] = []
    for await (const line of fleet.streamLogs(node(), { lines: 1, follow: true, signal: abort.signal })) {
      seen.push(line)
      if (seen.length === 4) abort.abort()
    }
    assert.ok(seen.length >= 4)
    const ticks = seen.map((l) => Number(/^tick (\d+)$/.exec(l)?.[1]))
    for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i], (ticks[i - 1] ?? 0) + 1, seen.join('\n'))
  })
})
