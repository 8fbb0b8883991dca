/**
 * Notifications through the built CLI on the local provider, delivered to real HTTP receivers on
 * 127.0.0.1: the events of a stepped release and a rollback in order, the slack / teams / json
 * bodies, a retry after a 503, a hanging and a refused webhook that cannot hold the exit beyond
 * the flush bound, a run that never started (`refused`, not `failed`), and webhook secrets that appear nowhere.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse, stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import { freePort } from '../helpers/free-port.ts'

const SECRETS = [
  'SECRET-TOKEN-123',
  'SIGSECRET',
  'PASSWORD99',
  'SLACKSECRET',
  'TEAMSSECRET',
  'FLAKYSECRET',
  'HANGSECRET',
]

interface Received {
  path: string
  authorization: string | undefined
  body: Record<string, unknown>
}

async function receiver(answer: (req: http.IncomingMessage, count: number) => number | 'hang') {
  const received: Received[] = []
  const hanging: http.ServerResponse[] = []
  let count = 0
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString()
    })
    req.on('end', () => {
      count += 1
      received.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(body) })
      const status = answer(req, count)
      if (status === 'hang') hanging.push(res)
      else res.writeHead(status).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: async () => {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

const noSecrets = (text: string, what: string) => {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${what} shows ${secret}:\n${text}`)
}

describe('notifications', { concurrency: false }, () => {
  let project: Project
  let good: Awaited<ReturnType<typeof receiver>>
  let flaky: Awaited<ReturnType<typeof receiver>>
  let hang: Awaited<ReturnType<typeof receiver>>

  const setNotify = async (notify: unknown, shift?: unknown) => {
    const file = join(project.dir, 'gwdeploy.yml')
    const config = parse(await readFile(file, 'utf8'))
    config.notify = notify
    if (shift) config.shift = shift
    await writeFile(file, stringify(config))
  }
  const events = (path: string) =>
    good.received.filter((r) => r.path.startsWith(path)).map((r) => r.body.event as string)

  before(async () => {
    good = await receiver(() => 200)
    flaky = await receiver((_req, count) => (count === 1 ? 503 : 200))
    hang = await receiver(() => 'hang')
    project = await makeProject({ size: 1 })
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
    await setNotify(
      {
        webhooks: [
          { url: `http://127.0.0.1:${good.port}/json/SECRET-TOKEN-123?sig=SIGSECRET` },
          {
            url: `http://hooks:PASSWORD99@127.0.0.1:${good.port}/slack/T000/SLACKSECRET`,
            format: 'slack',
            events: ['live', 'rolled_back'],
          },
          {
            url: `http://127.0.0.1:${good.port}/teams/workflows/TEAMSSECRET`,
            format: 'teams',
            events: ['live'],
          },
          { url: `http://127.0.0.1:${flaky.port}/flaky/FLAKYSECRET`, events: ['started'] },
        ],
        timeout: '5s',
        retries: 2,
      },
      { strategy: 'steps', steps: [50, 100], bake: '300ms', keep: '30m' },
    )
  })
  after(async () => {
    await project?.cleanup()
    await Promise.all([good?.close(), flaky?.close(), hang?.close()])
  })

  it('a stepped release: started, gate passed, each shift step, baked, live — in order, in every format', async () => {
    const result = await project.run(['release', '--sha', sha(2)])
    assert.equal(result.code, 0, result.stderr)
    noSecrets(result.stdout + result.stderr, 'release output')
    assert.deepEqual(events('/json/'), ['started', 'gate.passed', 'shift', 'baked', 'shift', 'baked', 'live'])
    const json = good.received.filter((r) => r.path.startsWith('/json/'))
    assert.equal(json[0]?.path, '/json/SECRET-TOKEN-123?sig=SIGSECRET')
    assert.deepEqual(
      json.filter((r) => r.body.event === 'shift').map((r) => r.body.weights),
      [
        { blue: 50, green: 50 },
        { blue: 0, green: 100 },
      ],
    )
    const live = json.at(-1)?.body
    assert.equal(live?.sha, sha(2))
    assert.equal(live?.service, 'e2e')
    assert.equal(live?.provider, 'local')
    assert.equal(live?.operation, 'release')
    assert.match(String(live?.message), /^e2e: 0202020 "e2e rev-0202020" is live on green$/)

    const slack = good.received.filter((r) => r.path.startsWith('/slack/'))
    assert.equal(slack.length, 1)
    assert.equal(slack[0]?.authorization, `Basic ${Buffer.from('hooks:PASSWORD99').toString('base64')}`)
    assert.match(
      String(slack[0]?.body.text),
      /^🟢 \*gwdeploy\* e2e: 0202020 "e2e rev-0202020" is live on green$/,
    )
    const teams = good.received.filter((r) => r.path.startsWith('/teams/'))
    assert.equal(teams.length, 1)
    const card = (
      teams[0]?.body.attachments as Array<{ contentType: string; content: { type: string } }> | undefined
    )?.[0]
    assert.equal(card?.contentType, 'application/vnd.microsoft.card.adaptive')
    assert.equal(card?.content.type, 'AdaptiveCard')
    // The first attempt got a 503: retried.
    assert.deepEqual(
      flaky.received.map((r) => r.body.event),
      ['started', 'started'],
    )
  })

  it('rollback: started, shift, rolled back', async () => {
    good.received.length = 0
    const result = await project.run(['rollback'])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(events('/json/'), ['started', 'gate.passed', 'shift', 'rolled_back'])
    const slack = good.received.filter((r) => r.path.startsWith('/slack/'))
    assert.equal(slack.length, 1)
    assert.match(
      String(slack[0]?.body.text),
      /^🔴 \*gwdeploy\* e2e: rolled back: 0101010 "e2e rev-0101010" is live on blue$/,
    )
  })

  it('config show redacts webhook URLs', async () => {
    const shown = await project.run(['config', 'show'])
    assert.equal(shown.code, 0, shown.stderr)
    noSecrets(shown.stdout, 'config show')
    assert.match(
      shown.stdout,
      new RegExp(`url: http://127\\.0\\.0\\.1:${good.port}/json/\\[redacted\\]\\?\\[redacted\\]`),
    )
    assert.match(shown.stdout, /url: http:\/\/\[redacted\]@127\.0\.0\.1:\d+\/slack\/\[redacted\]/)
  })

  it('a release that never started (bad flags, bad config, lock held) is `refused` once, never `failed`, and changes nothing', async () => {
    await setNotify({ webhooks: [{ url: `http://127.0.0.1:${good.port}/json/SECRET-TOKEN-123` }] })
    const served = await project.routes()
    const refusedOnce = async (
      args: string[],
      exitCode: number,
      message: RegExp,
      env?: NodeJS.ProcessEnv,
    ) => {
      good.received.length = 0
      const result = await project.run(args, env)
      assert.equal(result.code, exitCode, result.stderr)
      assert.deepEqual(events('/json/'), ['refused'], result.stderr)
      const body = good.received[0]?.body
      assert.equal(body?.operation, 'release')
      assert.match(String(body?.message), message)
      assert.match(String(body?.message), /nothing was changed on the target$/)
      assert.deepEqual(await project.routes(), served)
    }
    await refusedOnce(
      ['release', '--sha', sha(3), '--steps', '50,10'],
      2,
      /^e2e: release of 0303030 did not start \(exit 2\): --steps 50,10: use increasing percentages/,
    )

    // A fleet.env variable the nodes would miss: found at the stamp, before the lock.
    const file = join(project.dir, 'gwdeploy.yml')
    const saved = await readFile(file, 'utf8')
    const config = parse(saved)
    config.fleet.env = { API_KEY: { fromEnv: 'GWD_NOTIFY_UNSET_KEY' } }
    await writeFile(file, stringify(config))
    await refusedOnce(
      ['release', '--sha', sha(3)],
      2,
      /did not start \(exit 2\): environment variable GWD_NOTIFY_UNSET_KEY is not set/,
    )
    await writeFile(file, saved)

    // Held by a run on another machine.
    const lockFile = join(project.stateDir, 'lock.json')
    await writeFile(
      lockFile,
      JSON.stringify({
        holder: 'ci@runner-9 pid 1',
        operation: 'release',
        acquiredAt: new Date().toISOString(),
        renewedAt: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    )
    await refusedOnce(['release', '--sha', sha(3)], 3, /did not start \(exit 3\): .*ci@runner-9 pid 1/)
    const broken = await project.run(['lock', 'release', '--force'])
    assert.equal(broken.code, 0, broken.stderr)
  })

  it('a hanging and a refused webhook: the release still exits 0, their notifications are abandoned after the flush bound', async () => {
    const refused = await freePort()
    await setNotify({
      webhooks: [
        { url: `http://127.0.0.1:${good.port}/json/SECRET-TOKEN-123` },
        { url: `http://127.0.0.1:${hang.port}/hang/HANGSECRET`, events: ['started'] },
        {
          url: `http://127.0.0.1:${refused}/refused/SECRET-TOKEN-123`,
          events: ['started'],
          name: 'ops-channel',
        },
      ],
      timeout: '60s',
      retries: 1,
      flushTimeout: '1s',
    })
    good.received.length = 0
    const frozen = await project.run(['lock', 'acquire', '-m', 'change freeze'])
    assert.equal(frozen.code, 0, frozen.stderr)
    const held = await project.json<{ warnings: string[]; error: { exitCode: number } }>([
      'release',
      '--sha',
      sha(3),
    ])
    assert.equal(held.code, 3)
    assert.deepEqual(events('/json/'), ['refused'])
    assert.match(
      String(good.received[0]?.body.message),
      /release of 0303030 did not start \(exit 3\): releases are frozen by .*"change freeze"/,
    )
    const thawed = await project.run(['lock', 'release'])
    assert.equal(thawed.code, 0, thawed.stderr)

    good.received.length = 0
    const result = await project.json<{ warnings: string[] }>(['release', '--sha', sha(3)])
    assert.equal(result.code, 0, JSON.stringify(result.envelope))
    assert.deepEqual(events('/json/'), ['started', 'gate.passed', 'shift', 'baked', 'shift', 'baked', 'live'])
    assert.equal(hang.received.length, 1)
    const warnings = result.envelope.warnings.join('\n')
    noSecrets(warnings, 'warnings')
    assert.match(
      warnings,
      /notify ops-channel: started not delivered \(ECONNREFUSED, 2 attempt\(s\) at most\)/,
    )
    assert.match(warnings, /notify: 1 notification\(s\) still in flight after 1000 ms: abandoned/)
  })
})
