/**
 * fleet.env on the local provider: a flexible-config template rendered at release, plain values,
 * and two secrets (a file on this machine, a variable of gwdeploy's environment) that reach the
 * node — proven by a real backend receiving them as headers — while no output, --json envelope,
 * history, record, artifact or release file holds them. Bad references exit 2 naming the key.
 */
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import { allFiles } from '../helpers/files.ts'

const FILE_SECRET = 'file-secret-7f3a9c1e5b'
const RUNNER_SECRET = 'runner-secret-2d8e4a6c0f'
const SECRETS = [FILE_SECRET, RUNNER_SECRET]

const TEMPLATE = `{
  "version": 3,
  "name": "template",
  "timeout": "{{ .service.timeout }}",
  "endpoints": [
    {{- range $i, $e := .service.endpoints }}{{ if $i }},{{ end }}
    {
      "endpoint": "{{ $e.path }}",
      "method": "GET",
      "backend": [{
        "host": ["http://127.0.0.1:{{ env "BACKEND_PORT" }}"],
        "url_pattern": "/seen",
        "extra_config": {
          "modifier/martian": {
            "fifo.Group": {
              "scope": ["request"],
              "modifiers": [
                {"header.Modifier": {"scope": ["request"], "name": "X-File-Secret", "value": "{{ env "FILE_SECRET" }}"}},
                {"header.Modifier": {"scope": ["request"], "name": "X-Runner-Secret", "value": "{{ env "RUNNER_SECRET" }}"}},
                {"header.Modifier": {"scope": ["request"], "name": "X-Region", "value": "{{ env "REGION" }}"}}
              ]
            }
          }
        }
      }]
    }
    {{- end }}
  ]
}
`

/** 1-based number of the first line of `text` containing `needle`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1

function assertNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} contains a secret value`)
}

describe('fleet.env on local: secrets reach the node and nothing else', () => {
  let project: Project
  let backend: Server
  let backendPort: number
  const seen: IncomingHttpHeaders[] = []
  const outputs: Array<[string, string]> = []
  const env = { CI_RUNNER_TOKEN: RUNNER_SECRET }

  before(async () => {
    backend = createServer((req, res) => {
      seen.push(req.headers)
      res.setHeader('content-type', 'application/json')
      res.end('{"ok":true}')
    })
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
    backendPort = (backend.address() as AddressInfo).port
    project = await makeProject({ size: 1 })
    await mkdir(join(project.dir, 'settings'))
    await writeFile(
      join(project.dir, 'settings', 'service.json'),
      JSON.stringify({ timeout: '3s', endpoints: [{ path: '/v1/a' }, { path: '/v1/b' }] }),
    )
    await writeFile(join(project.dir, 'gateway.json'), TEMPLATE)
    await writeFile(join(project.dir, 'api-key.txt'), `${FILE_SECRET}\n`, { mode: 0o600 })
    const config = {
      service: 'e2e',
      gateway: { config: 'gateway.json', flexibleConfig: { settings: 'settings' } },
      fleet: {
        size: 1,
        env: {
          REGION: 'eu-west-1',
          BACKEND_PORT: backendPort,
          KRAKEND_TIMEOUT: '4s',
          FILE_SECRET: { fromFile: 'api-key.txt' },
          RUNNER_SECRET: { fromEnv: 'CI_RUNNER_TOKEN' },
        },
      },
      health: { interval: '100ms', timeout: '1s', rise: 1, deadline: '20s' },
      provider: { kind: 'local', local: { listen: `127.0.0.1:${project.port}`, stateDir: '.gwdeploy' } },
    }
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
  })
  after(async () => {
    await project?.cleanup()
    await new Promise((resolve) => backend?.close(resolve))
  })

  it('releases: the node renders the secrets into its config and sends them to the backend', async () => {
    const dry = await project.run(['release', '--sha', sha(1), '--dry-run'], env)
    outputs.push(['dry-run stdout', dry.stdout], ['dry-run stderr', dry.stderr])
    assert.equal(dry.code, 0, dry.stderr)
    const released = await project.json<{ status: string }>(['release', '--sha', sha(1)], env)
    outputs.push(['release --json', JSON.stringify(released.envelope)])
    assert.equal(released.code, 0, JSON.stringify(released.envelope))
    for (const path of ['/v1/a', '/v1/b']) {
      const res = await fetch(`http://127.0.0.1:${project.port}${path}`)
      assert.equal(res.status, 200)
      assert.deepEqual(await res.json(), { ok: true })
    }
    assert.equal(seen.length, 2)
    for (const headers of seen) {
      assert.equal(headers['x-file-secret'], FILE_SECRET, 'the file secret (one trailing newline dropped)')
      assert.equal(headers['x-runner-secret'], RUNNER_SECRET)
      assert.equal(headers['x-region'], 'eu-west-1', 'a plain value rendered at release')
    }
  })

  it('no output, --json, history, status, record or release file holds a secret', async () => {
    for (const args of [['history'], ['status'], ['config', 'show']]) {
      const plain = await project.run(args, env)
      outputs.push([`${args.join(' ')} stdout`, plain.stdout], [`${args.join(' ')} stderr`, plain.stderr])
      const json = await project.run([...args, '--json'], env)
      outputs.push([`${args.join(' ')} --json`, json.stdout])
      assert.equal(json.code, 0, json.stderr)
    }
    for (const [where, text] of outputs) assertNoSecret(where, text)
    const files = await allFiles(join(project.dir, '.gwdeploy'))
    assert.ok(
      files.some((f) => f.path.includes('records')),
      'the records were written',
    )
    const stamped = files.find((f) => f.path.endsWith('gateway.json'))
    assert.ok(stamped, 'the release directory holds the stamped config')
    assert.match(stamped.text, /\{\{env `FILE_SECRET`\}\}/, 'the secret stays a call the node renders')
    assert.match(stamped.text, /"name": "e2e rev-/)
    for (const file of files) {
      // The node's own log may say anything the runtime logs; gwdeploy's files must not.
      if (file.path.endsWith('.log')) continue
      assertNoSecret(file.path, file.text)
    }
  })

  it('a secret file that does not exist: exit 2 naming fleet.env.FILE_SECRET, nothing changes', async () => {
    const yml = await readFile(join(project.dir, 'gwdeploy.yml'), 'utf8')
    await writeFile(join(project.dir, 'gwdeploy.yml'), yml.replace('api-key.txt', 'missing.txt'))
    const before = await fetch(`http://127.0.0.1:${project.port}/__health`).then((r) => r.json())
    const result = await project.run(['release', '--sha', sha(2)], env)
    assert.equal(result.code, 2, result.stderr)
    const line = lineOf(yml.replace('api-key.txt', 'missing.txt'), 'fromFile: missing.txt')
    assert.match(
      result.stderr,
      new RegExp(`gwdeploy\\.yml:${line}:\\d+ \\(fleet\\.env\\.FILE_SECRET\\.fromFile\\)`),
    )
    // Set in an overlay, the key is placed in the overlay.
    await writeFile(join(project.dir, 'gwdeploy.yml'), yml)
    const overlay = 'fleet:\n  env:\n    FILE_SECRET:\n      fromFile: gone.txt\n'
    await writeFile(join(project.dir, 'gwdeploy.prod.yml'), overlay)
    const inOverlay = await project.run(['release', '--sha', sha(2), '--env', 'prod'], env)
    assert.equal(inOverlay.code, 2, inOverlay.stderr)
    assert.match(inOverlay.stderr, /gwdeploy\.prod\.yml:4:\d+ \(fleet\.env\.FILE_SECRET\.fromFile\)/)
    const afterHealth = await fetch(`http://127.0.0.1:${project.port}/__health`).then((r) => r.json())
    assert.deepEqual((afterHealth as { name: string }).name, (before as { name: string }).name)
    await writeFile(join(project.dir, 'gwdeploy.yml'), yml)
  })

  it('a reference the provider cannot resolve: exit 2 naming the line and key, nothing run', async () => {
    const yml = await readFile(join(project.dir, 'gwdeploy.yml'), 'utf8')
    await writeFile(
      join(project.dir, 'gwdeploy.yml'),
      yml.replace('fromEnv: CI_RUNNER_TOKEN', 'ssm: /gw/token'),
    )
    const result = await project.run(['release', '--sha', sha(2)], env)
    assert.equal(result.code, 2)
    assert.match(result.stderr, /gwdeploy\.yml:\d+/)
    assert.match(result.stderr, /fleet\.env\.RUNNER_SECRET\.ssm/)
    assert.match(result.stderr, /not resolved by provider "local"/)
    await writeFile(join(project.dir, 'gwdeploy.yml'), yml)
  })
})
