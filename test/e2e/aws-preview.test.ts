/**
 * The aws test-listener path end to end: the built CLI against moto, with a stand-in for the ALB
 * data plane (moto has none; test/providers/aws/alb-data-plane.ts) behind the test listener,
 * reached through `provider.aws.testListenerUrl` as a listener behind private DNS would be. The
 * stand-in boots each target from its user-data (the image by digest on the test dockerd), so the
 * stamped-name check (`health.expectName: true`) and the smoke checks really go test listener ->
 * green target group -> instance -> the release image.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sha } from '../core/helpers/project.ts'
import { requireDocker } from '../helpers/services.ts'
import { AlbDataPlane } from '../providers/aws/alb-data-plane.ts'
import {
  type AwsProject,
  instancesOf,
  listenerWeights,
  makeAwsProject,
  targetGroupNames,
} from '../providers/aws/moto.ts'

const HEALTH_SMOKE = { name: 'health answers', path: '/__health', status: 200 }
const UNKNOWN_ROUTE_SMOKE = { name: 'unknown route is 404', path: '/v1/unknown', status: 404 }

describe('aws: preview through the test listener (name check + smoke checks)', { concurrency: false }, () => {
  let project: AwsProject
  let plane: AlbDataPlane
  let service: string
  const configure = (smoke: unknown[]) =>
    project.writeConfig({
      size: 2,
      expectName: true,
      health: { timeout: '5s', deadline: '60s' },
      smoke,
      aws: { testListenerArn: project.fixture.testListenerArn, testListenerUrl: plane.url },
    })

  before(async () => {
    await requireDocker()
    project = await makeAwsProject({ size: 2 })
    service = `aws-${project.fixture.id}`
    plane = await AlbDataPlane.start(project.fixture.testListenerArn)
  })
  after(async () => {
    await project?.cleanup()
    await plane?.close()
  })

  it('release proves the stamped name and passes the smoke checks through the test listener', async () => {
    await configure([HEALTH_SMOKE, UNKNOWN_ROUTE_SMOKE])
    const result = await project.run(['release', '--sha', sha(1)])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), { [`${service}-blue`]: 100 })
    // The test listener (in moto) forwards to blue, the colour that was just verified.
    assert.deepEqual(await listenerWeights(project.fixture.testListenerArn), { [`${service}-blue`]: 1 })
    const status = await project.json<{
      result: { colours: Array<{ colour: string; image: string; configName: string }> }
    }>(['status'])
    const blue = status.envelope.result.colours.find((c) => c.colour === 'blue')
    assert.ok(blue?.configName.includes(sha(1).slice(0, 7)), JSON.stringify(blue))
    const blueIds = (await instancesOf(service)).map((i) => i.id)
    // gwdeploy's own requests went through the test listener to blue's instances, running blue's image.
    const health = plane.served.filter((r) => r.path === '/__health' && r.status === 200)
    const unknown = plane.served.filter((r) => r.path === '/v1/unknown' && r.status === 404)
    assert.ok(health.length >= 2, JSON.stringify(plane.served)) // the name check + the smoke check
    assert.ok(unknown.length >= 1, JSON.stringify(plane.served))
    for (const r of [...health, ...unknown]) {
      assert.ok(blueIds.includes(r.instance as string), JSON.stringify(r))
      assert.equal(r.image, blue?.image)
    }
    // And what it read there is the stamped name.
    const answer = (await (await fetch(`${plane.url}/__health`)).json()) as { name: string }
    assert.equal(answer.name, blue?.configName)
  })

  it('a failing smoke check through the test listener: exit 4, traffic untouched, green torn down', async () => {
    await configure([HEALTH_SMOKE, { name: 'ping answers', path: '/v1/ping', status: 200 }])
    const before = await listenerWeights(project.fixture.listenerArn)
    const blueIds = (await instancesOf(service)).map((i) => i.id)
    const result = await project.run(['release', '--sha', sha(2)])
    assert.equal(result.code, 4, result.stderr)
    assert.match(result.stderr, /ping answers/)
    assert.match(result.stderr, /Traffic was not touched/)
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), before)
    // The failing check reached green: an instance outside blue, running the new image.
    const ping = plane.served.filter((r) => r.path === '/v1/ping')
    assert.ok(ping.length >= 1, JSON.stringify(plane.served))
    for (const r of ping) {
      assert.notEqual(r.status, 200)
      assert.ok(r.instance && !blueIds.includes(r.instance), JSON.stringify(r))
    }
    assert.deepEqual(await targetGroupNames(service), [`${service}-blue`])
    const left = await instancesOf(service)
    assert.ok(
      left.every((i) => i.colour === 'blue' && i.sha === sha(1)),
      JSON.stringify(left),
    )
  })

  it('destroy gives the test listener its original default action back', async () => {
    const result = await project.run(['destroy', '--force'])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(await listenerWeights(project.fixture.testListenerArn), 'fixed-response')
    const answer = await fetch(`${plane.url}/__health`)
    assert.equal(answer.status, 404, 'the fixture listener answered a fixed 404 before gwdeploy')
  })
})
