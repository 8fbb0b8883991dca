/**
 * The kubernetes provider's node logs through the real @kubernetes/client-node against the fake
 * API server, whose kubelet runs the pod as a real container: `pods/log` with tailLines, then
 * `follow=true` streamed until the signal aborts.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { connect, type KubeClient } from '../../../src/providers/kubernetes/client.ts'
import { podLogLines } from '../../../src/providers/kubernetes/logs.ts'
import { testDocker } from '../../helpers/docker.ts'
import { requireBaseImage } from '../../helpers/services.ts'
import { type FakeApiServer, startFakeApiServer } from './fake-apiserver/server.ts'

const NS = 'logs'
const SCRIPT = `
for (let i = 1; i <= 3; i++) console.log('early ' + i)
let n = 0
setInterval(() => console.log('tick ' + ++n), 100)
`

let api: FakeApiServer
let client: KubeClient
let dir: string
let pod: string

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const line of lines) out.push(line)
  return out
}

before(async () => {
  api = await startFakeApiServer({ docker: (await testDocker()).docker })
  dir = await mkdtemp(join(tmpdir(), 'gwd-k8s-logs-'))
  await api.writeKubeconfig(join(dir, 'kubeconfig.json'))
  client = await connect({ kubeconfig: 'kubeconfig.json', dir })
  await client.apps.createNamespacedDeployment({
    namespace: NS,
    body: {
      metadata: { name: 'logger' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'logger' } },
        template: {
          metadata: { labels: { app: 'logger' } },
          spec: {
            containers: [
              { name: 'gateway', image: await requireBaseImage(), command: ['node', '-e', SCRIPT] },
            ],
          },
        },
      },
    },
  })
  // Wait for the pod's container to have logged a few ticks.
  const end = Date.now() + 60_000
  for (;;) {
    const name = api.list('pods', NS)[0]?.metadata?.name as string | undefined
    if (name) {
      const lines = await collect(podLogLines(client, NS, name, { lines: 0, follow: false })).catch(
        (): string[] => [],
      )
      if (lines.includes('tick 3')) {
        pod = name
        break
      }
    }
    if (Date.now() > end) throw new Error('the logger pod never logged')
    await sleep(200)
  }
})
after(async () => {
  await api?.close()
  await rm(dir, { recursive: true, force: true })
})

test('pods/log: every line, or the last N', async () => {
  const all = await collect(podLogLines(client, NS, pod, { lines: 0, follow: false }))
  assert.deepEqual(all.slice(0, 4), ['early 1', 'early 2', 'early 3', 'tick 1'])
  const last = await collect(podLogLines(client, NS, pod, { lines: 2, follow: false }))
  assert.equal(last.length, 2)
  assert.match(last[0] ?? '', /^tick \d+$/)
  assert.match(last[1] ?? '', /^tick \d+$/)
  assert.ok(
    api.requests.some((r) => r.method === 'GET' && r.path === `/api/v1/namespaces/${NS}/pods/${pod}/log`),
  )
})

test('pods/log?follow=true: new lines as they come, until the signal aborts', async () => {
  const abort = new AbortController()
  const seen: string[] = []
  for await (const line of podLogLines(client, NS, pod, { lines: 1, follow: true, signal: abort.signal })) {
    seen.push(line)
    if (seen.length === 4) abort.abort()
  }
  assert.ok(seen.length >= 4, seen.join('\n'))
  const ticks = seen.map((l) => Number(/^tick (\d+)$/.exec(l)?.[1]))
  for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i], (ticks[i - 1] ?? 0) + 1, seen.join('\n'))
})
