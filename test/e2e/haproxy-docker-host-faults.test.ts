/**
 * haproxy provider, what happens to real Docker hosts at 3 a.m., through the built CLI: a dockerd
 * that stops answering mid-release, mid-rollback and under `status` (a proxy in front of the test
 * dockerd holds the requests), `maintenance on` and `logs` there, and a green container that
 * exits right after it starts.
 */
import assert from 'node:assert/strict'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type Dockerode from 'dockerode'
import { stringify } from 'yaml'
import { makeProject, type Project, type RunResult, sha } from '../core/helpers/project.ts'
import { removeTargetContainers, targetContainers, testDocker, uniqueName } from '../helpers/docker.ts'
import { requireBaseImage, requireDocker, requireRegistry } from '../helpers/services.ts'
import { type HangingDockerProxy, hangingDockerProxy } from '../providers/haproxy/docker-proxy.ts'
import {
  askName,
  type HaproxyInstance,
  type HaproxyProjectOptions,
  haproxyConfig,
  startHaproxy,
} from '../providers/haproxy/helpers.ts'

interface ErrorEnvelope {
  error: { exitCode: number; message: string; hint?: string; problems?: Array<{ message: string }> }
}

describe('haproxy provider: Docker host faults (CLI)', { concurrency: false }, () => {
  let project: Project
  let lb: HaproxyInstance
  let docker: Dockerode
  let proxy: HangingDockerProxy
  let base: HaproxyProjectOptions
  const target = uniqueName('faults')
  const name = (n: number) => `${target} rev-${sha(n).slice(0, 7)}`
  const FAST = { GWDEPLOY_DOCKER_API_TIMEOUT: '2' }

  const writeConfig = (edit: (config: Record<string, unknown>) => void = () => {}) => {
    const config = haproxyConfig(base)
    edit(config)
    return writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
  }
  const containers = (colour?: string) => targetContainers(docker, target, colour)
  /** A run that must end by itself: one that hangs is killed after `boundMs` (its code is then null). */
  const bounded = async (args: string[], env: NodeJS.ProcessEnv, boundMs = 90_000): Promise<RunResult> => {
    const run = project.start(args, env)
    const timer = setTimeout(() => run.child.kill('SIGKILL'), boundMs)
    try {
      return await run.done
    } finally {
      clearTimeout(timer)
    }
  }

  /** Starts `args`, waits (bounded) until the Docker host holds one of its requests, then Ctrl-C: how it ended. */
  const interruptWhenHeld = async (args: string[], what: string): Promise<RunResult> => {
    const before = proxy.held.length
    const run = project.start(args)
    for (let i = 0; i < 600 && proxy.held.length === before; i++) await new Promise((r) => setTimeout(r, 50))
    assert.ok(proxy.held.length > before, `${what} sent a request the host holds`)
    run.child.kill('SIGTERM')
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 20_000)
    return run.done.finally(() => clearTimeout(timer))
  }

  before(async () => {
    const { socketPath } = await requireDocker()
    docker = (await testDocker()).docker
    project = await makeProject()
    lb = await startHaproxy()
    proxy = await hangingDockerProxy(project.dir, socketPath)
    base = {
      service: target,
      instances: [lb],
      dockerHost: proxy.host,
      repository: `${(await requireRegistry()).host}/gwdeploy-test/${uniqueName('faults')}`,
      baseImage: await requireBaseImage(),
      size: 1,
    }
    await writeConfig()
    const first = await project.json(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, JSON.stringify(first.envelope))
  })
  after(async () => {
    proxy?.hang(() => false)
    await proxy?.close()
    await project?.cleanup()
    await removeTargetContainers(docker, target)
    await lb?.stop()
  })

  it('a Docker host that stops answering mid-release: exit 6 naming the host and the request, traffic untouched', async () => {
    proxy.hang((method, path) => method === 'POST' && /\/containers\/create/.test(path))
    try {
      const run = await bounded(['release', '--sha', sha(2), '--json'], FAST)
      assert.equal(run.code, 6, run.stdout + run.stderr)
      const { error } = JSON.parse(run.stdout) as ErrorEnvelope
      assert.match(
        error.message,
        /the Docker host unix:\/\/\S+docker-proxy\.sock did not answer within 2 s \(creating gwdeploy-\S+-green-0202020-\d\)/,
      )
      assert.match(error.hint ?? '', /GWDEPLOY_DOCKER_API_TIMEOUT/)
      assert.ok(proxy.held.length > 0, 'the create request was held')
    } finally {
      proxy.hang(() => false)
    }
    assert.equal(await lb.green(), 0)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
    const retry = await project.json(['release', '--sha', sha(2)])
    assert.equal(retry.code, 0, JSON.stringify(retry.envelope))
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
  })

  it('rollback while the Docker host does not answer: exit 6 naming it, nothing switched', async () => {
    proxy.hang((_, path) => !/\/version$/.test(path))
    try {
      const run = await bounded(['rollback', '--json'], FAST)
      assert.equal(run.code, 6, run.stdout + run.stderr)
      const { error } = JSON.parse(run.stdout) as ErrorEnvelope
      assert.match(error.message, /did not answer within 2 s \(listing containers\)/)
    } finally {
      proxy.hang(() => false)
    }
    assert.equal(await lb.green(), 100)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
  })

  it('Ctrl-C while a Docker request goes unanswered: status stops with exit 130', async () => {
    proxy.hang((_, path) => !/\/version$/.test(path))
    try {
      const result = await interruptWhenHeld(['status'], 'status')
      assert.equal(result.code, 130, result.stderr)
    } finally {
      proxy.hang(() => false)
    }
  })

  // maintenance read the target without the run's signal: Ctrl-C waited out the Docker request.
  it('Ctrl-C during maintenance on while a Docker request goes unanswered: exit 130, the page not switched on', async () => {
    proxy.hang((_, path) => !/\/version$/.test(path))
    try {
      const result = await interruptWhenHeld(['maintenance', 'on'], 'maintenance on')
      assert.equal(result.code, 130, result.stderr)
    } finally {
      proxy.hang(() => false)
    }
    // The page would answer 503: clients still reach the gateway.
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
  })

  it('logs while the Docker host holds the log request: exit 6 naming it; logs -f ends at Ctrl-C (exit 0, as documented)', async () => {
    proxy.hang((_, path) => /\/containers\/[^/]+\/logs/.test(path))
    try {
      const once = await bounded(['logs', '--colour', 'live', '-n', '5', '--json'], FAST)
      assert.equal(once.code, 6, once.stdout + once.stderr)
      const { error } = JSON.parse(once.stdout) as ErrorEnvelope
      assert.match(error.message, /did not answer within 2 s \(reading the log of gwdeploy-\S+\)/)
      const result = await interruptWhenHeld(['logs', '--colour', 'live', '-f'], 'logs -f')
      assert.equal(result.code, 0, result.stderr)
    } finally {
      proxy.hang(() => false)
    }
  })

  it('a green container that exits right after it starts: the gate fails at once with what the container said', async () => {
    await writeConfig((config) => {
      ;(config.fleet as Record<string, unknown>).env = { NODE_OPTIONS: '--no-such-node-flag' }
    })
    try {
      const run = await bounded(['release', '--sha', sha(4), '--json'], {})
      assert.equal(run.code, 4, run.stdout + run.stderr)
      const { error } = JSON.parse(run.stdout) as ErrorEnvelope
      assert.match(
        error.message,
        /failed its health gate: gwdeploy-\S+-0404040-\d: (node is gone: )?container (restarting|exited): it exited with code 9/,
      )
      assert.match(error.hint ?? '', /--- last log lines of gwdeploy-\S+-0404040-\d ---/)
      assert.match(error.hint ?? '', /--no-such-node-flag is not allowed in NODE_OPTIONS/)
    } finally {
      await writeConfig()
    }
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
  })

  // status said only 'container exited (exit 137)': nothing about what brings it back.
  it("the kept colour's container stopped by hand: status names the way out; rollback redeploys it", async () => {
    const release = await project.json(['release', '--sha', sha(5)])
    assert.equal(release.code, 0, JSON.stringify(release.envelope))
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(5) })
    for (const info of await containers('green')) await docker.getContainer(info.Id).stop({ t: 1 })
    const status = await project.json<{
      result: {
        colours: Array<{ colour: string; nodes: Array<{ provider: string; providerDetail?: string }> }>
      }
    }>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    const green = status.envelope.result.colours.find((c) => c.colour === 'green')
    assert.equal(green?.nodes[0]?.provider, 'gone')
    assert.match(
      green?.nodes[0]?.providerDetail ?? '',
      new RegExp(
        `^container exited \\(exit \\d+\\): stopped outside gwdeploy or crashed, and its restart policy did not start it again; \`gwdeploy release --sha ${sha(2)}\` replaces it while green serves \\(a rollback to green redeploys it\\)$`,
      ),
    )
    const back = await project.json(['rollback'])
    assert.equal(back.code, 0, JSON.stringify(back.envelope))
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
  })

  it('a rollback whose recorded image is gone from the host and the registry: exit 6 naming it and the release that rebuilds it', async () => {
    const dir = join(project.dir, '.gwdeploy/haproxy', `gwdeploy-${target}-releases`)
    const files = (await readdir(dir)).filter((file) => file.includes(`-release-${sha(1).slice(0, 7)}-`))
    assert.equal(files.length, 1, 'the record of the first release')
    const file = join(dir, files[0] as string)
    const record = JSON.parse(await readFile(file, 'utf8')) as { image: string }
    const missing = `${record.image.split('@')[0]}@sha256:${'ab'.repeat(32)}`
    await writeFile(file, JSON.stringify({ ...record, image: missing }))
    const back = await project.json<ErrorEnvelope>(['rollback', '--to', sha(1)])
    assert.equal(back.code, 6, JSON.stringify(back.envelope))
    assert.match(
      back.envelope.error.message,
      new RegExp(`could not pull ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `),
    )
    assert.match(
      back.envelope.error.hint ?? '',
      new RegExp(
        `The registry does not have that image .*\`gwdeploy release --sha ${sha(1)}\` builds and pushes it again`,
      ),
    )
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
  })
})
