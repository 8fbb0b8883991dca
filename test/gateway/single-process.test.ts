// An AMQP consumer or a pub/sub subscriber is one consumer per KrakenD process, handing each message to
// the next request: a node with one runs one worker process when `workers` is unset, refuses several
// set at start (exit 2) and in validation (at `workers`), and says at validation that it runs one.
import assert from 'node:assert/strict'
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { refuseWorkersBeside, workerCount } from '../../src/gateway/config/single-process.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { tempDir } from '../helpers/files.ts'
import { requireRabbitMq } from '../helpers/services.ts'
import { freePort, mustConfig } from './helpers.ts'

const amqplib = createRequire(import.meta.url)('amqplib') as typeof import('amqplib')
const main = new URL('../../src/gateway/main.ts', import.meta.url).pathname
const P = `gw-single-${randomBytes(4).toString('hex')}`

const raw = (
  ns: string,
  settings: Record<string, unknown>,
  host: string,
  runtime?: Record<string, unknown>,
) => ({
  version: 3,
  listen_ip: '127.0.0.1',
  ...(runtime ? { extra_config: { 'gwdeploy/runtime': runtime } } : {}),
  endpoints: [
    {
      endpoint: '/m',
      backend: [
        { host: [host], disable_host_sanitize: true, url_pattern: '/', extra_config: { [ns]: settings } },
      ],
    },
  ],
})
// krakend-amqp's consumer binds a list of routing keys; its producer takes one
const amqp = (ns: string, runtime?: Record<string, unknown>, url = 'amqp://u:pw@rabbit:5672') =>
  raw(
    ns,
    { name: `${P}-q`, exchange: `${P}-x`, routing_key: ns.endsWith('consumer') ? ['k'] : 'k' },
    url,
    runtime,
  )
const subscriber = (runtime?: Record<string, unknown>) =>
  raw('backend/pubsub/subscriber', { subscription_url: 'orders' }, 'nats://', runtime)
const publisher = () => raw('backend/pubsub/publisher', { topic_url: 'orders' }, 'nats://')

test('workers unset: one beside an AMQP consumer or a pub/sub subscriber, one per core otherwise', () => {
  const cores = () => 4
  assert.equal(workerCount(mustConfig(amqp('backend/amqp/consumer')), cores), 1)
  assert.equal(workerCount(mustConfig(subscriber()), cores), 1)
  assert.equal(workerCount(mustConfig(amqp('backend/amqp/producer')), cores), 4)
  assert.equal(workerCount(mustConfig(publisher()), cores), 4)
  assert.equal(workerCount(mustConfig(amqp('backend/amqp/producer', { workers: 3 })), cores), 3)
})

test('several workers set beside one are refused at start, naming the backend', () => {
  assert.throws(
    () => refuseWorkersBeside(mustConfig(amqp('backend/amqp/consumer')), 2, 'gw.json'),
    (error: Error & { location?: { file?: string; path?: string } }) => {
      assert.match(
        error.message,
        /backend\/amqp\/consumer on \/m needs a node of one worker process.*set to run 2/,
      )
      assert.deepEqual(error.location, {
        file: 'gw.json',
        path: 'endpoints[0].backend[0].extra_config.backend/amqp/consumer',
      })
      return true
    },
  )
  assert.throws(() => refuseWorkersBeside(mustConfig(subscriber()), 3, undefined), /set to run 3/)
  refuseWorkersBeside(mustConfig(amqp('backend/amqp/consumer')), 1, 'gw.json')
  refuseWorkersBeside(mustConfig(amqp('backend/amqp/producer')), 4, 'gw.json')
})

test('validation: workers set above 1 is an error at workers; unset, a warning that the node runs one', () => {
  const check = (config: unknown) => {
    const result = validateGatewayConfig(config)
    const at = (list: { location?: { path?: string }; message: string }[]) =>
      list.filter((p) => p.location?.path === 'extra_config.gwdeploy/runtime.workers').map((p) => p.message)
    return { errors: at(result.errors), warnings: at(result.warnings) }
  }
  const two = check(amqp('backend/amqp/consumer', { workers: 2 }))
  assert.equal(two.errors.length, 1)
  assert.match(two.errors[0] ?? '', /needs a node of one worker process/)
  const unset = check(subscriber())
  assert.deepEqual(unset.errors, [])
  assert.match(
    unset.warnings.join('\n'),
    /backend\/pubsub\/subscriber on \/m: the node runs one worker process/,
  )
  assert.deepEqual(check(subscriber({ workers: 1 })), { errors: [], warnings: [] })
  assert.deepEqual(check(publisher()), { errors: [], warnings: [] })
})

const children = (pid: number): number => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n').length
  } catch {
    return 0 // pgrep exits 1 when it finds none
  }
}

/** Waits (bounded: 30 s) until the node answers its health check, failing if it exits first. */
async function untilHealthy(node: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline && node.exitCode === null) {
    const healthy = await fetch(`http://127.0.0.1:${port}/__health`).then(
      (r) => r.status === 200,
      () => false,
    )
    if (healthy) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.fail(`the node never became healthy (exit code ${node.exitCode})`)
}

const spawned: ChildProcess[] = []
after(() => {
  for (const child of spawned) if (child.exitCode === null) child.kill('SIGKILL')
})

test('a real node with an AMQP consumer and workers unset runs one process; --workers 2 exits 2', async () => {
  const broker = await requireRabbitMq()
  const dir = tempDir('gw-single-')
  const port = await freePort()
  const file = join(dir, 'gw.json')
  writeFileSync(file, JSON.stringify({ ...amqp('backend/amqp/consumer', undefined, broker.url), port }))
  const refused = spawn(process.execPath, [main, '-c', file, '--workers', '2'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  spawned.push(refused)
  let stderr = ''
  refused.stderr?.on('data', (c) => {
    stderr += c
  })
  const [code] = await once(refused, 'exit')
  assert.equal(code, 2)
  assert.match(stderr, /endpoints\[0\]\.backend\[0\]\.extra_config\.backend\/amqp\/consumer/)
  assert.doesNotMatch(stderr, /u:pw|guest:guest/)

  const node = spawn(process.execPath, [main, '-c', file], { stdio: 'ignore' })
  spawned.push(node)
  try {
    await untilHealthy(node, port)
    assert.equal(children(node.pid as number), 0, 'one process: no cluster workers')
  } finally {
    node.kill('SIGKILL')
    const connection = await amqplib.connect(broker.url)
    const channel = await connection.createChannel()
    await channel.deleteQueue(`${P}-q`)
    await channel.deleteExchange(`${P}-x`)
    await connection.close()
  }
})

test('a real node with an AMQP producer and workers unset runs one worker per core', async () => {
  const broker = await requireRabbitMq()
  const dir = tempDir('gw-single-')
  const port = await freePort()
  const file = join(dir, 'gw.json')
  writeFileSync(file, JSON.stringify({ ...amqp('backend/amqp/producer', undefined, broker.url), port }))
  const node = spawn(process.execPath, [main, '-c', file], { stdio: 'ignore' })
  spawned.push(node)
  try {
    await untilHealthy(node, port)
    const cores = availableParallelism()
    assert.equal(children(node.pid as number), cores > 1 ? cores : 0)
  } finally {
    node.kill('SIGKILL')
    const connection = await amqplib.connect(broker.url)
    const channel = await connection.createChannel()
    await channel.deleteExchange(`${P}-x`)
    await connection.close()
  }
})
