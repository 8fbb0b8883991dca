/**
 * Errors in the rendered text of a flexible-config template are located where the user can fix
 * them, through the CLI: `config validate` and `release` on the local provider, the --json
 * envelope's error.location, and GitHub Actions annotations. Nothing is released.
 */
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'

// The colleague's repro: a 3-line include before a bad token on template line 5 (rendered line 8).
const BAD_TOKEN = `{
  "version": 3,
  {{ include "x.tmpl" }}
  "port": {{ .service.port }},
  "name": x,
  "endpoints": []
}
`
// A settings value the validator refuses, at a JSON path.
const BAD_VALUE = `{
  "version": 3,
  {{ include "x.tmpl" }}
  "port": {{ marshal .service.hosts }},
  "endpoints": []
}
`

type Envelope = {
  status: string
  error?: {
    exitCode: number
    message: string
    hint?: string
    problems?: Array<{ message: string; location?: Record<string, unknown>; hint?: string }>
  }
}

describe('flexible config errors are located in the template, partial or settings (local)', () => {
  let project: Project

  before(async () => {
    project = await makeProject({ size: 1 })
    await mkdir(join(project.dir, 'settings'))
    await mkdir(join(project.dir, 'partials'))
    await writeFile(join(project.dir, 'settings', 'service.json'), '{"port": 8080, "hosts": ["http://a"]}')
    await writeFile(
      join(project.dir, 'partials', 'x.tmpl'),
      '"timeout": "3s",\n"cache_ttl": "1s",\n"output_encoding": "json",\n',
    )
    const config = {
      service: 'e2e',
      gateway: { config: 'gateway.json', flexibleConfig: { settings: 'settings', partials: 'partials' } },
      fleet: { size: 1 },
      provider: { kind: 'local', local: { listen: `127.0.0.1:${project.port}`, stateDir: '.gwdeploy' } },
    }
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
  })
  after(() => project?.cleanup())

  const badTokenLocation = { file: 'gateway.json', line: 5, column: 11 }

  it('config validate --json: a bad token at the template line, the rendered line in the message', async () => {
    await writeFile(join(project.dir, 'gateway.json'), BAD_TOKEN)
    const { code, envelope } = await project.json<Envelope>(['config', 'validate'])
    assert.equal(code, 2, JSON.stringify(envelope))
    const [problem] = envelope.error?.problems ?? []
    assert.deepEqual(problem?.location, badTokenLocation)
    assert.match(problem?.message ?? '', /rendered line 8:11: `"name": x,`/)
  })

  it('release --json on the local provider: the same location, nothing released', async () => {
    await writeFile(join(project.dir, 'gateway.json'), BAD_TOKEN)
    const { code, envelope } = await project.json<Envelope>(['release', '--sha', sha(1)])
    assert.equal(code, 2, JSON.stringify(envelope))
    assert.deepEqual(envelope.error?.problems?.[0]?.location, badTokenLocation)
    assert.equal(await project.routes(), undefined)
  })

  it('release under GitHub Actions: the annotation names the template file, line and column', async () => {
    await writeFile(join(project.dir, 'gateway.json'), BAD_TOKEN)
    const result = await project.run(['release', '--sha', sha(1)], { GITHUB_ACTIONS: 'true' })
    assert.equal(result.code, 2, result.stderr)
    const annotations = `${result.stdout}${result.stderr}`
      .split('\n')
      .filter((l) => l.startsWith('::error file='))
    assert.deepEqual(
      annotations.map((l) => l.slice(0, l.indexOf('::', 2))),
      ['::error file=gateway.json,line=5,col=11'],
      annotations.join('\n'),
    )
  })

  it('a settings value refused at a JSON path: the template line of the key, the settings file and key in the hint', async () => {
    await writeFile(join(project.dir, 'gateway.json'), BAD_VALUE)
    for (const args of [
      ['config', 'validate'],
      ['release', '--sha', sha(1)],
    ]) {
      const { code, envelope } = await project.json<Envelope>(args)
      assert.equal(code, 2, JSON.stringify(envelope))
      const [problem] = envelope.error?.problems ?? []
      assert.deepEqual(problem?.location, { file: 'gateway.json', line: 4, column: 3, path: 'port' }, args[0])
      assert.match(
        problem?.hint ?? '',
        /printed by \{\{ marshal \.service\.hosts \}\} at gateway\.json:4:11: the value of "hosts" in settings\/service\.json/,
        args[0],
      )
    }
  })
})
