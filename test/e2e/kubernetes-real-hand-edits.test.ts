import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { envelope } from '../helpers/cli.ts'
import {
  makeRealKubeProject,
  type Obj,
  type RealKubeProject,
  sha,
} from '../providers/kubernetes/real-project.ts'

// The operator at 3 a.m. against the real cluster: objects gwdeploy owns edited by hand (kubectl
// edit / set image), a Role missing a verb, a token the API server does not accept. One namespace
// for all the cases: two releases first (green live, blue kept for rollback), then each case.
describe('kubernetes provider against a real cluster: objects edited by hand', () => {
  let project: RealKubeProject
  const ns = () => `/api/v1/namespaces/${project.namespace}`
  const deployments = () => `/apis/apps/v1/namespaces/${project.namespace}/deployments`
  const image = (deployment: Obj): string => deployment.spec.template.spec.containers[0].image
  const healthName = async () => {
    const answer = await project.viaService('/__health')
    assert.equal(answer.status, 200, answer.body)
    return (JSON.parse(answer.body) as { name: string }).name
  }
  const admin = async (method: string, path: string, body: unknown, contentType?: string) => {
    const answer = await project.cluster.call(method, path, body, contentType)
    assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${answer.body}`)
    return answer.json<Obj>()
  }
  // A short health deadline: a gate that cannot pass fails within seconds, not minutes.
  const writeConfig = (provider: Record<string, unknown> = {}) =>
    project.writeConfig({
      top: { records: { keep: 5 }, health: { interval: '200ms', timeout: '2s', rise: 2, deadline: '20s' } },
      provider,
    })

  before(async () => {
    project = await makeRealKubeProject()
    await writeConfig()
    for (const n of [1, 2]) {
      const result = await project.run(['release', '--sha', sha(n)])
      assert.equal(result.exitCode, 0, result.stderr)
    }
    assert.equal(await project.liveColour(), 'green')
  })
  after(async () => {
    await project?.cleanup()
  })

  it('a live Service selector edited by hand: status exit 6 naming it; a release of the live SHA restores it', async () => {
    const service = `${ns()}/services/${project.service}`
    const selector = (await project.get(service)).spec.selector
    await admin('PATCH', service, { spec: { selector: { team: 'edge' } } }, 'application/merge-patch+json')
    const status = await project.run(['status', '--json'])
    assert.equal(status.exitCode, 6, status.stdout)
    const out = envelope(status)
    assert.match(out.error?.message ?? '', /selector edited outside gwdeploy \(.*team=edge/)
    const repair = await project.run(['release', '--sha', sha(2)])
    assert.equal(repair.exitCode, 0, repair.stderr)
    assert.deepEqual((await project.get(service)).spec.selector, selector)
    assert.equal(await healthName(), `${project.service} rev-${sha(2).slice(0, 7)}`)
    const after = await project.run(['status'])
    assert.equal(after.exitCode, 0, after.stderr)
  })

  it('the kept colour given another image by hand: status flags its pods; rollback redeploys the recorded image', async () => {
    const recorded = image(await project.deployment('blue'))
    const foreign = image(await project.deployment('green'))
    await admin(
      'PATCH',
      `${deployments()}/${project.service}-blue`,
      { spec: { template: { spec: { containers: [{ name: 'gateway', image: foreign }] } } } },
      'application/strategic-merge-patch+json',
    )
    for (let i = 0; ; i++) {
      const pods = await project.pods('blue')
      if (
        pods.length === 2 &&
        pods.every((p) => p.spec.containers[0].image === foreign && p.status.phase === 'Running')
      )
        break
      assert.ok(i < 120, 'blue runs the image set by hand')
      await new Promise((r) => setTimeout(r, 500))
    }
    const status = await project.run(['status', '--json'])
    const colours = (envelope(status).result as { colours: Array<{ colour: string; nodes: Obj[] }> }).colours
    const blueNodes = colours.find((c) => c.colour === 'blue')?.nodes ?? []
    assert.equal(blueNodes.length, 2, JSON.stringify(colours))
    for (const node of blueNodes) assert.match(JSON.stringify(node), /changed outside gwdeploy/)
    const rollback = await project.run(['rollback'])
    assert.equal(rollback.exitCode, 0, rollback.stderr)
    assert.equal(await project.liveColour(), 'blue')
    assert.equal(image(await project.deployment('blue')), recorded)
    assert.equal(await healthName(), `${project.service} rev-${sha(1).slice(0, 7)}`)
  })

  it('a Role without `get pods/proxy`: release exit 6 naming it, before anything changes', async () => {
    const rolePath = `/apis/rbac.authorization.k8s.io/v1/namespaces/${project.namespace}/roles/gwdeploy`
    const role = await project.get(rolePath)
    const full = { metadata: { name: 'gwdeploy', namespace: project.namespace }, rules: role.rules }
    const without = {
      ...full,
      rules: role.rules.map((r: Obj) => ({
        ...r,
        resources: r.resources.filter((x: string) => x !== 'pods/proxy'),
      })),
    }
    const before = {
      blue: (await project.deployment('blue')).metadata.resourceVersion,
      green: (await project.deployment('green')).metadata.resourceVersion,
      newest: (envelope(await project.run(['history', '--json'])).result as Obj[])[0],
    }
    await admin('PUT', rolePath, without)
    try {
      const result = await project.run(['release', '--sha', sha(3)])
      assert.equal(result.exitCode, 6, result.stderr)
      assert.match(result.stderr, /may not get pods\/proxy in namespace/)
      assert.match(result.stderr, /templates\/kubernetes\/rbac\.yaml/)
      assert.doesNotMatch(result.stderr, /failed its health gate/)
    } finally {
      await admin('PUT', rolePath, full)
    }
    assert.equal((await project.deployment('blue')).metadata.resourceVersion, before.blue)
    assert.equal((await project.deployment('green')).metadata.resourceVersion, before.green)
    const history = envelope(await project.run(['history', '--json'])).result as Obj[]
    assert.deepEqual(history[0], before.newest, 'no record written')
    assert.equal(await project.liveColour(), 'blue')
  })

  it("a second target whose live Service is the first one's preview Service: release refused before anything changes; destroy leaves it", async () => {
    const preview = `${ns()}/services/${project.service}-preview`
    const before = await project.get(preview)
    assert.equal(before?.metadata.labels['gwdeploy.dev/role'], 'preview')
    await project.writeConfig({
      top: { service: `${project.service}-preview`, health: { interval: '200ms', rise: 2, deadline: '20s' } },
      provider: {},
    })
    try {
      const refused = await project.run(['release', '--sha', sha(4)])
      assert.equal(refused.exitCode, 6, refused.stderr)
      assert.match(
        refused.stderr,
        new RegExp(
          `Service ${project.namespace}/${project.service}-preview exists but is gwdeploy's preview Service of the target ${project.service}; nothing was changed`,
        ),
      )
      assert.equal(await project.get(`${deployments()}/${project.service}-preview-blue`), undefined)
      const destroyed = await project.run(['destroy', '--force'])
      assert.equal(destroyed.exitCode, 0, destroyed.stderr)
      assert.match(
        destroyed.stderr,
        new RegExp(
          `leaving Service ${project.namespace}/${project.service}-preview: it is gwdeploy's preview Service`,
        ),
      )
      assert.equal((await project.get(preview))?.metadata.uid, before?.metadata.uid)
    } finally {
      await writeConfig()
    }
    assert.equal(await healthName(), `${project.service} rev-${sha(1).slice(0, 7)}`)
  })

  it('a token the API server does not accept: exit 6 saying so, not an RBAC hint', async () => {
    const kubeconfig = await readFile(join(project.dir, 'kubeconfig.yaml'), 'utf8')
    await writeFile(
      join(project.dir, 'expired-kubeconfig.yaml'),
      kubeconfig.replace(/token: .*/, 'token: eyJhbGciOiJSUzI1NiJ9.e30.expired'),
      { mode: 0o600 },
    )
    await writeConfig({ kubeconfig: 'expired-kubeconfig.yaml' })
    try {
      const result = await project.run(['status'])
      assert.equal(result.exitCode, 6, result.stderr)
      assert.match(result.stderr, /401 Unauthorized: .*did not accept the kubeconfig's credentials/)
      assert.doesNotMatch(result.stderr, /rbac\.yaml/)
      assert.doesNotMatch(result.stderr, /e30\.expired/)
    } finally {
      await writeConfig()
    }
  })

  it("provider.kubernetes.namespace mistyped: exit 6 naming user, verb, resource and namespace, and the context's namespace", async () => {
    const typo = `${project.namespace}-typo`
    const before = (await project.deployment('blue')).metadata.resourceVersion
    await writeConfig({ namespace: typo })
    try {
      for (const args of [['status'], ['release', '--sha', sha(3)]]) {
        const result = await project.run(args)
        assert.equal(result.exitCode, 6, result.stderr)
        assert.match(
          result.stderr,
          new RegExp(
            `hint: User "system:serviceaccount:${project.namespace}:ci" may not \\S+ \\S+ (\\(\\S+\\) )?in namespace ${typo}: apply templates/kubernetes/rbac\\.yaml in namespace ${typo}`,
          ),
        )
        assert.match(
          result.stderr,
          new RegExp(
            `The kubeconfig context "test" names namespace ${project.namespace}, not ${typo}: if provider\\.kubernetes\\.namespace is wrong, fix it in gwdeploy\\.yml`,
          ),
        )
      }
    } finally {
      await writeConfig()
    }
    assert.equal((await project.deployment('blue')).metadata.resourceVersion, before)
    assert.equal((await project.get(`/api/v1/namespaces/${typo}`)) === undefined, true)
  })
})
