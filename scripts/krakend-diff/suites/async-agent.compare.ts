// Dev tool: async_agent (krakend-amqp's agents) against KrakenD, on one real RabbitMQ. run.ts cannot
// do it (agents answer no client: they consume): here KrakenD, then this runtime, each serves the same
// agents with an exchange and queues of its own; the same messages are published to each, and the
// tool compares what the recording backend received (method, URL, headers with User-Agent as "UA",
// body; in arrival order per agent), the queues after the gateway is killed (an unacknowledged message
// goes back), the agents /__health reports and each agent's distinct error lines. The agents cover the pipe krakend-ce builds (backend
// components, lua-proxy, CEL, JSON schema, static, flatmap, shadows), agents KrakenD leaves out (no
// backend) and amqps:// through a TLS terminator with a private CA in front of the same broker.
//
//   KRAKEND_BIN=/path/to/krakend AMQP_URL=amqp://guest:guest@127.0.0.1:5672 PORT_BASE=P \
//     node scripts/krakend-diff/suites/async-agent.compare.ts
//
// AMQP_URL defaults to GWDEPLOY_TEST_AMQP_URL, then amqp://guest:guest@127.0.0.1:5672 (scripts/services.sh
// start rabbitmq). Backend on P, gateways on P+1 and P+2 (PORT_BASE as run.ts reads it). Exits 1 on a
// difference.
import { rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { type AddressInfo, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer } from 'node:tls'
import { certificateAuthority } from '../../../test/helpers/tls-authority.ts'
import { type Seen, seen, startBackend } from '../backend.ts'
import {
  ensurePortsFree,
  krakendBinary,
  ports,
  ROOT,
  sleep,
  startGroup,
  stopGroup,
  waitUp,
} from '../side-by-side.ts'
import { comparedAgents } from './async-agent.agents.ts'

const amqplib = createRequire(import.meta.url)('amqplib') as typeof import('amqplib')
const broker =
  process.env.AMQP_URL ?? process.env.GWDEPLOY_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
const krakend = krakendBinary()
const { backend, K, G } = ports()
await ensurePortsFree([backend, K, G])
const server = await startBackend(backend)
const origin = `http://127.0.0.1:${backend}`
// amqps: a TLS terminator with a private CA's certificate in front of the broker (an ephemeral port)
const authority = await certificateAuthority()
const tlsPair = await authority.issue({ commonName: '127.0.0.1', altNames: ['IP:127.0.0.1'] })
const caFile = join(tmpdir(), `agent-compare-ca-${process.pid}.pem`)
writeFileSync(caFile, authority.cert)
const rabbit = new URL(broker)
const terminator = createTlsServer(tlsPair, (client) => {
  const upstream = connect(Number(rabbit.port || 5672), rabbit.hostname)
  client.pipe(upstream).pipe(client)
  const end = () => {
    client.destroy()
    upstream.destroy()
  }
  client.on('error', end)
  upstream.on('error', end)
})
terminator.on('tlsClientError', () => {})
await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve))
const amqps = `amqps://${rabbit.username}:${rabbit.password}@127.0.0.1:${(terminator.address() as AddressInfo).port}`

const AGENTS = comparedAgents({ broker, amqps, caFile })
/** Agents that never consume: never in /__health, their queues never declared. */
const SKIPPED = new Set(['nobackend', 'allshadows', 'tlsuntrusted'])
// what reaches the backends: every HTTP backend (shadows too; one with a host of its own publishes
// to the exchange $FWD, read back from a queue bound to it) per message, but for the requeued ones
// (delivered without end), the refused messages and the skipped agents
const EXPECTED = AGENTS.filter((a) => !a.requeues && !SKIPPED.has(a.name)).reduce(
  (n, a) =>
    n + a.messages.filter((m) => !a.refused?.includes(m)).length * a.backends.filter((b) => !b.host).length,
  0,
)
const bodyOf = (body: string) => body.replace(/-lua$/, '')

interface Outcome {
  requests: Record<string, Array<Omit<Seen, 'headers'> & { headers: string[] }>>
  queues: Record<string, { messages: number; consumers: number } | string>
  /** What the producer backends published (timestamps apart), in the order read. */
  forwarded: unknown[]
  agents: string[]
  /** The agents' ERROR lines ([SERVICE: AsyncAgent][AMQP][name] ...): each distinct one, per agent. */
  logs: Record<string, string[]>
}

/** An agent's error line, in KrakenD's format and this runtime's. */
const AGENT_ERROR = /\bERROR:?\s+\[SERVICE: AsyncAgent\]\[AMQP\]\[([^\]]+)\] (.*)$/
/** Its broker's words are amqplib's here, amqp091-go's there (a documented deviation). */
const LOGS_APART = new Set(['tlsuntrusted'])

function agentLogs(output: string): Outcome['logs'] {
  const logs: Record<string, Set<string>> = {}
  // an error of several lines (lura's merge error) goes on in lines without a log line's date
  const lines = output.split('\n')
  const continues = (line: string | undefined) =>
    line !== undefined && line !== '' && !/^(\d{4}\/\d\d\/\d\d |\[)/.test(line)
  for (let i = 0; i < lines.length; i += 1) {
    const [, name, first] = AGENT_ERROR.exec(lines[i] as string) ?? []
    if (name === undefined || first === undefined || LOGS_APART.has(name)) continue
    let text = first
    while (continues(lines[i + 1])) text += `\n${lines[++i]}`
    // lura's merge lists its backends' errors as they arrive (a race): compared in sorted order
    text = text.split('\n').sort().join('\n')
    logs[name] ??= new Set()
    logs[name].add(text)
  }
  return Object.fromEntries(
    Object.keys(logs)
      .sort()
      .map((name) => [name, [...(logs[name] ?? [])].sort()]),
  )
}

async function queueStates(
  connection: Awaited<ReturnType<typeof amqplib.connect>>,
  queue: (name: string) => string,
): Promise<Outcome['queues']> {
  const out: Outcome['queues'] = {}
  for (const a of AGENTS) {
    const channel = await connection.createChannel()
    channel.on('error', () => {})
    try {
      const q = await channel.checkQueue(queue(a.name))
      out[a.name] = { messages: q.messageCount, consumers: q.consumerCount }
      await channel.close()
    } catch (error) {
      const message = (error as Error).message
      // the queue's name is each side's own
      out[a.name] = /NOT_FOUND - no queue/.test(message) ? 'no queue' : message.slice(0, 60)
    }
  }
  return out
}

async function run(side: 'krakend' | 'gateway'): Promise<Outcome> {
  const tag = `${side}-${Date.now().toString(36)}`
  const exchange = `agent-compare-${tag}`
  const queue = (name: string) => `agent-compare-${name}-${tag}`
  const port = side === 'krakend' ? K : G
  const forwardExchange = `agent-compare-fwd-${tag}`
  const setup = await amqplib.connect(broker)
  const forwardChannel = await setup.createChannel()
  await forwardChannel.assertExchange(forwardExchange, 'topic', { durable: true })
  const forwardQueue = (await forwardChannel.assertQueue('', { exclusive: true })).queue
  await forwardChannel.bindQueue(forwardQueue, forwardExchange, '#')
  const config = {
    version: 3,
    port,
    timeout: '2s',
    endpoints: [],
    async_agent: AGENTS.map((a) => ({
      name: a.name,
      consumer: { topic: a.name, ...a.consumer },
      backend: a.backends.map((b) => ({ host: [origin], ...b })),
      extra_config: {
        ...a.extra,
        [a.amqpNamespace ?? 'async/amqp']: {
          host: broker,
          name: queue(a.name),
          exchange,
          durable: true,
          ...a.amqp,
        },
      },
    })),
  }
  const file = join(tmpdir(), `agent-compare-${tag}.json`)
  writeFileSync(file, JSON.stringify(config).replaceAll('$FWD', forwardExchange))
  seen.length = 0
  const child =
    side === 'krakend'
      ? startGroup(krakend, ['run', '-c', file])
      : startGroup(process.execPath, [join(ROOT, 'src/gateway/main.ts'), '-c', file, '--log-level', 'ERROR'])
  let output = ''
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (d) => {
      output += d
    })
  await waitUp(port)
  const connection = await amqplib.connect(broker)
  // every agent consuming: its trial run (1 s each, one after the other), then its first run
  const health = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/__health`)
    return Object.keys(((await res.json()) as { agents: Record<string, string> }).agents)
  }
  const running = AGENTS.length - SKIPPED.size
  for (let i = 0; i < 300 && (await health()).length < running; i += 1) await sleep(200)
  await sleep(2500)
  const channel = await connection.createConfirmChannel()
  for (const a of AGENTS)
    for (const message of a.messages)
      channel.publish(exchange, a.name, Buffer.from(message), {
        headers: { 'X-Not-Sent': 'h' },
        messageId: 'm',
      })
  await channel.waitForConfirms()
  const once = (s: Seen) => !AGENTS.some((a) => a.requeues && a.messages.includes(bodyOf(s.body)))
  for (let i = 0; i < 100 && seen.filter(once).length < EXPECTED; i += 1) await sleep(100)
  await sleep(1000)
  const agents = await health()
  await stopGroup(child)
  await sleep(500)
  const queues = await queueStates(connection, queue)
  const forwarded: unknown[] = []
  for (
    let message = await forwardChannel.get(forwardQueue);
    message;
    message = await forwardChannel.get(forwardQueue)
  ) {
    const { timestamp: _, ...properties } = message.properties
    forwarded.push({ routingKey: message.fields.routingKey, properties, body: message.content.toString() })
  }
  forwarded.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))
  await forwardChannel.deleteExchange(forwardExchange).catch(() => {})
  await setup.close().catch(() => {})
  const requests: Outcome['requests'] = {}
  for (const a of AGENTS) {
    const paths = a.backends.map((b) => String(b.url_pattern).split(/[{?]/)[0] as string)
    // the failing agent's message comes back without end: its first delivery only
    const mine = seen.filter(
      (s) => paths.some((p) => s.url.startsWith(p)) && a.messages.includes(bodyOf(s.body)),
    )
    requests[a.name] = (a.requeues ? mine.slice(0, 1) : mine)
      .map((s) => ({ ...s }))
      .sort((x, y) => `${x.url} ${x.body}`.localeCompare(`${y.url} ${y.body}`))
  }
  // a requeuing agent's queue holds its message again, however often it went round
  for (const ch of [channel]) await ch.close().catch(() => {})
  const cleanup = await connection.createChannel()
  cleanup.on('error', () => {})
  for (const a of AGENTS) await cleanup.deleteQueue(queue(a.name)).catch(() => {})
  await cleanup.deleteExchange(exchange).catch(() => {})
  await connection.close().catch(() => {})
  return { requests, queues, forwarded, agents, logs: agentLogs(output) }
}

const got = { krakend: await run('krakend'), gateway: await run('gateway') }
server.close()
terminator.close()
rmSync(caFile, { force: true })
const dumped = join(tmpdir(), `agent-compare-${Date.now().toString(36)}`)
writeFileSync(`${dumped}-krakend.json`, JSON.stringify(got.krakend, null, 1))
writeFileSync(`${dumped}-gateway.json`, JSON.stringify(got.gateway, null, 1))
const left = JSON.stringify(got.krakend, null, 1).split('\n')
const right = JSON.stringify(got.gateway, null, 1).split('\n')
let differences = 0
for (let i = 0; i < Math.max(left.length, right.length); i += 1)
  if (left[i] !== right[i]) {
    differences += 1
    console.log(`- krakend: ${left[i] ?? ''}\n+ gateway: ${right[i] ?? ''}`)
  }
console.log(
  differences === 0
    ? `async-agent: ${AGENTS.length} agents, ${AGENTS.reduce((n, a) => n + a.messages.length, 0)} messages: no difference`
    : `async-agent: ${differences} differing lines (both sides: ${dumped}-krakend.json, -gateway.json)`,
)
process.exit(differences === 0 ? 0 : 1)
