/**
 * `config validate` on a flexible-config template checks it as release renders it: a template that
 * is JSON only once rendered is valid, and one that renders to invalid JSON is refused (KrakenD
 * parses the rendered text as JSON).
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import { validateProjectConfig } from '../../src/config/validate-project.ts'
import { GwError } from '../../src/core/errors.ts'
import { tempDir } from '../helpers/files.ts'

function project(template: string): string {
  const dir = tempDir('gwdeploy-fc-')
  for (const sub of ['settings', 'partials', 'templates']) mkdirSync(join(dir, sub))
  writeFileSync(
    join(dir, 'gwdeploy.yml'),
    'service: demo\ngateway:\n  config: gateway.json\n  flexibleConfig:\n    settings: settings\n    partials: partials\n    templates: templates\n',
  )
  writeFileSync(join(dir, 'settings', 'service.json'), '{"port": 8080}')
  writeFileSync(join(dir, 'partials', 'extra.json'), '"timeout": "3s",\n"cache_ttl": "1s",\n')
  writeFileSync(join(dir, 'templates', 'endpoints.tmpl'), '{{ define "endpoints.tmpl" }}[]{{ end }}')
  writeFileSync(join(dir, 'gateway.json'), template)
  return dir
}

test('a template that is JSON only once rendered is valid', async () => {
  const dir = project(
    '{\n  "version": 3,\n  "port": {{ .service.port }},\n  {{ include "extra.json" }}\n  "endpoints": {{ template "endpoints.tmpl" . }}\n}\n',
  )
  const summary = await validateProjectConfig({ cwd: dir })
  assert.equal(summary.gatewayConfig, 'gateway.json')
})

test('a template that renders to invalid JSON is refused at the template line that wrote it, not read as YAML', async () => {
  const dir = project(
    '{\n  "version": 3,\n  {{ include "extra.json" }}\n  "name": x,\n  "endpoints": {{ template "endpoints.tmpl" . }}\n}\n',
  )
  await assert.rejects(validateProjectConfig({ cwd: dir }), (error: unknown) => {
    assert.ok(error instanceof GwError, String(error))
    assert.equal(error.exitCode, 2)
    assert.match(error.message, /gateway\.json \(rendered\) is not valid JSON$/)
    // Rendered, the bad token is on line 6 (after the 2-line partial); the template has it on line 4.
    const [problem] = error.problems
    const { file, ...at } = problem?.location ?? {}
    assert.deepEqual([relative(dir, file ?? ''), at], ['gateway.json', { line: 4, column: 11 }])
    assert.match(problem?.message ?? '', /\(rendered line 6:11: `"name": x,`\)$/)
    return true
  })
})

test('a bad token in a partial is located in the partial, the include named in the hint', async () => {
  const dir = project('{\n  "version": 3,\n  {{ include "bad.json" }}\n  "endpoints": []\n}\n')
  writeFileSync(join(dir, 'partials', 'bad.json'), '"timeout": "3s",\n"cache_ttl": 1s,\n')
  await assert.rejects(validateProjectConfig({ cwd: dir }), (error: unknown) => {
    assert.ok(error instanceof GwError, String(error))
    const { file, ...at } = error.problems[0]?.location ?? {}
    // V8 stops at the `s` of `1s`.
    assert.deepEqual([relative(dir, file ?? ''), at], ['partials/bad.json', { line: 2, column: 15 }])
    assert.match(error.hint ?? '', /written by \{\{ include "bad\.json" \}\} at (\S*\/)?gateway\.json:3:3\)/)
    return true
  })
})
