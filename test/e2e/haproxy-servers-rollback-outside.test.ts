/**
 * haproxy `servers` mode: a rollback to a release no colour runs. gwdeploy cannot start servers, so it
 * refuses at once (exit 4) naming what each colour runs and what to start, and changes nothing —
 * before, it retired the colour kept to go forward, then waited out the whole health deadline.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { type Project, sha } from '../core/helpers/project.ts'
import { releaseName, serversTarget } from '../helpers/servers-target.ts'
import {
  askName,
  type HaproxyInstance,
  haproxyConfig,
  startGatewayNode,
} from '../providers/haproxy/helpers.ts'

interface Status {
  result: { colours: Array<{ colour: string; role: string; sha: string }> }
}

describe('haproxy servers mode: rollback to a SHA no colour runs', { concurrency: false }, () => {
  const target = serversTarget()
  let project: Project
  let lb: HaproxyInstance

  /** Blue's two servers restarted in place answering release n. */
  const restartBlue = async (n: number) => {
    for (const i of [0, 1]) {
      const port = Number(target.nodes[i]?.address.split(':')[1])
      await target.nodes[i]?.stop()
      target.nodes[i] = await startGatewayNode(releaseName(n), project.dir, port)
    }
  }
  const roles = async () => {
    const status = await project.json<Status>(['status'])
    return Object.fromEntries(
      status.envelope.result.colours.map((c) => [c.colour, `${c.role} ${c.sha.slice(0, 7)}`]),
    )
  }

  before(async () => {
    ;({ project, lb } = target)
    // A deadline long enough that waiting it out is told apart from refusing at once.
    const servers = {
      blue: [target.nodes[0]?.address ?? '', target.nodes[1]?.address ?? ''],
      green: [target.nodes[2]?.address ?? '', target.nodes[3]?.address ?? ''],
    }
    const config = haproxyConfig({ instances: [lb], servers, health: { deadline: '60s' } })
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
    for (const n of [1, 2]) {
      const released = await project.run(['release', '--sha', sha(n)])
      assert.equal(released.code, 0, released.stderr)
    }
    await restartBlue(3)
    const third = await project.run(['release', '--sha', sha(3)])
    assert.equal(third.code, 0, third.stderr)
    assert.deepEqual(await roles(), { blue: 'live 0303030', green: 'previous 0202020' })
  })

  it('rollback --to a recorded SHA no colour runs: exit 4 at once naming each colour, nothing changed', async () => {
    const mapBefore = await readFile(lb.mapFile, 'utf8')
    const stateFile = join(project.dir, '.gwdeploy/haproxy/gwdeploy-e2e.json')
    const stateBefore = await readFile(stateFile, 'utf8')
    const back = await project.json<{ error: { message: string; hint: string } }>([
      'rollback',
      '--to',
      sha(1),
    ])
    assert.equal(back.code, 4, JSON.stringify(back.envelope))
    const { message, hint } = back.envelope.error
    assert.match(
      message,
      /^no colour runs 0101010: blue runs 0303030 \(serving 100%\), green runs 0202020 \(no traffic\), and green's servers \(.+\) do not answer as 0101010 \(.+\); its servers run outside gwdeploy, which cannot start them: nothing was rolled back$/,
    )
    for (const i of [2, 3]) assert.ok(hint.includes(target.nodes[i]?.address ?? '?'), hint)
    assert.match(
      hint,
      new RegExp(
        `^Start green's servers \\(.+\\) running 0101010 \\("${releaseName(1)}"\\), then run \`gwdeploy rollback --to ${sha(1)}\` again: it moves traffic to them once they pass the health gate\\. Traffic was not touched; green still runs 0202020\\.$`,
      ),
    )
    assert.equal(await readFile(lb.mapFile, 'utf8'), mapBefore)
    assert.equal(await readFile(stateFile, 'utf8'), stateBefore)
    assert.deepEqual(await roles(), { blue: 'live 0303030', green: 'previous 0202020' })
    assert.deepEqual(await askName(lb.port), { status: 200, name: releaseName(3) })
  })

  it('a plain rollback whose target no colour runs is refused the same way; once the servers run it, it goes there', async () => {
    const toGreen = await project.run(['rollback'])
    assert.equal(toGreen.code, 0, toGreen.stderr)
    assert.deepEqual(await roles(), { blue: 'previous 0303030', green: 'live 0202020' })
    const refused = await project.json<{ error: { message: string; hint: string } }>(['rollback'])
    assert.equal(refused.code, 4, JSON.stringify(refused.envelope))
    assert.match(
      refused.envelope.error.message,
      /^no colour runs 0101010: blue runs 0303030 \(no traffic\), green runs 0202020 \(serving 100%\), and blue's servers/,
    )
    assert.match(refused.envelope.error.hint, /then run `gwdeploy rollback` again:/)
    assert.deepEqual(await roles(), { blue: 'previous 0303030', green: 'live 0202020' })
    // status says the same of rollback: not "redeploys", which gwdeploy cannot do here.
    const status = await project.json<{ result: { rollback: unknown } }>(['status'])
    assert.deepEqual(status.envelope.result.rollback, {
      sha: sha(1),
      how: 'outside',
      colour: 'blue',
      why: 'no colour runs it',
    })
    const text = await project.run(['status'])
    assert.match(
      text.stdout,
      /^rollback: moves all traffic to blue \(0101010\) once blue's servers run it \(no colour runs it now; the servers run outside gwdeploy, which cannot start them\)$/m,
    )

    await restartBlue(1)
    const back = await project.run(['rollback'])
    assert.equal(back.code, 0, back.stderr)
    assert.equal(await lb.green(), 0)
    assert.deepEqual(await askName(lb.port), { status: 200, name: releaseName(1) })
  })
})
