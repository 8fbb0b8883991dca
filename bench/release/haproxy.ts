/**
 * bench/release --provider haproxy: the haproxy provider against a real HAProxy (master-worker,
 * started here) and containers on the test dockerd, images pushed to the test registry.
 * Release (2 nodes) split into build/provision/verify/shift, rollback (CLI wall and until
 * HAProxy answers with the old name), and a release of 2 vs 10 nodes. Never asserts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Dockerode from 'dockerode'
import { stringify } from 'yaml'
import { uniqueName } from '../../test/helpers/docker.ts'
import { requireBaseImage, requireDocker, requireRegistry } from '../../test/helpers/services.ts'
import { haproxyConfig, startHaproxy } from '../../test/providers/haproxy/helpers.ts'
import { cli, fmt, liveName, median, type Run, sha } from './common.ts'

export async function benchHaproxy(options: { bin: string; rounds: number; interval: string; rise: number }) {
  const { host, socketPath } = await requireDocker()
  const registry = (await requireRegistry()).host
  const baseImage = await requireBaseImage()
  const repository = `${registry}/gwdeploy-bench/${uniqueName('hap')}`
  const docker = new Dockerode({ socketPath })

  async function fleet(size: number) {
    const dir = await mkdtemp(join(tmpdir(), 'gwd-bench-hap-'))
    const lb = await startHaproxy({
      serverOptions: `check inter ${options.interval} rise ${options.rise} fall 3`,
    })
    await writeFile(join(dir, 'gateway.json'), JSON.stringify({ version: 3, name: 'bench', endpoints: [] }))
    const config = haproxyConfig({
      instances: [lb],
      dockerHost: host,
      repository,
      baseImage,
      size,
      health: { interval: options.interval, rise: options.rise, deadline: '120s' },
      serverOptions: `check inter ${options.interval} rise ${options.rise} fall 3`,
    })
    await writeFile(join(dir, 'gwdeploy.yml'), stringify(config))
    return {
      dir,
      lb,
      run: (args: string[]) => cli(options.bin, dir, args),
      async close() {
        await cli(options.bin, dir, ['destroy', '--force'])
        for (const info of await docker.listContainers({
          all: true,
          filters: { label: ['gwdeploy.target=e2e'] },
        }))
          await docker
            .getContainer(info.Id)
            .remove({ force: true })
            .catch(() => {})
        await lb.stop()
        await rm(dir, { recursive: true, force: true })
      },
    }
  }

  const releases: Run[] = []
  const rollbacks: Array<{ wall: number; switched: number }> = []
  const two = await fleet(2)
  let n = 1
  try {
    if ((await two.run(['release', '--sha', sha(n++)])).code !== 0) throw new Error('first release failed')
    for (let i = 0; i < options.rounds; i++) {
      const run = await two.run(['release', '--sha', sha(n++)])
      if (run.code !== 0) throw new Error('release failed')
      releases.push(run)
      const before = await liveName(two.lb.port)
      const t0 = performance.now()
      let switched = 0
      const rb = two.run(['rollback'])
      for (;;) {
        const name = await liveName(two.lb.port)
        if (name && name !== before) {
          switched = performance.now() - t0
          break
        }
        await new Promise((r) => setTimeout(r, 5))
      }
      const done = await rb
      if (done.code !== 0) throw new Error('rollback failed')
      rollbacks.push({ wall: done.wallMs, switched })
    }
  } finally {
    await two.close()
  }

  const sized: Record<number, number[]> = {}
  for (const size of [2, 10]) {
    const p = await fleet(size)
    sized[size] = []
    let k = 100
    try {
      if ((await p.run(['release', '--sha', sha(k++)])).code !== 0)
        throw new Error(`release of ${size} failed`)
      for (let i = 0; i < options.rounds; i++) {
        const run = await p.run(['release', '--sha', sha(k++)])
        if (run.code !== 0) throw new Error(`release of ${size} nodes failed`)
        sized[size]?.push(run.wallMs)
      }
    } finally {
      await p.close()
    }
  }

  const stepMedian = (name: string) => median(releases.map((r) => r.steps[name] ?? 0))
  const total = median(releases.map((r) => r.wallMs))
  const twoNodes = median(sized[2] ?? [])
  const tenNodes = median(sized[10] ?? [])
  console.log(
    `bench/release --provider haproxy (${options.rounds} rounds, medians; HAProxy 2.6 + containers on the test dockerd; health interval ${options.interval} x rise ${options.rise})`,
  )
  console.log(`  2-node release, total                ${fmt(total)}`)
  for (const step of [
    'lock',
    'stamp',
    'build',
    'plan',
    'retire idle',
    'provision',
    'verify',
    'shift',
    'finalize',
  ])
    console.log(`      ${step.padEnd(12)} ${fmt(stepMedian(step))}`)
  console.log(
    `  rollback: CLI wall                   ${fmt(median(rollbacks.map((r) => r.wall)))} (aim about 1 s)`,
  )
  console.log(`  rollback: until HAProxy switched     ${fmt(median(rollbacks.map((r) => r.switched)))}`)
  console.log(`  release  2 nodes                     ${fmt(twoNodes)}`)
  console.log(
    `  release 10 nodes                     ${fmt(tenNodes)}  = ${(tenNodes / twoNodes).toFixed(2)}x of 2 nodes`,
  )
}
