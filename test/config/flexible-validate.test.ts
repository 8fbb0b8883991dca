/**
 * `config validate` on a flexible-config template checks it as release renders it: a template that
 * is JSON only once rendered is valid, and one that renders to invalid JSON is refused (KrakenD
 * parses the rendered text as JSON).
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { validateProjectConfig } from '../../src/config/validate-project.ts'
import { GwError } from '../../src/core/errors.ts'

function project(template: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gwdeploy-fc-'))
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

test('a template that renders to invalid JSON is refused at the rendered line, not read as YAML', async () => {
  const dir = project(
    '{\n  "version": 3,\n  {{ include "extra.json" }}\n  "name": x,\n  "endpoints": {{ template "endpoints.tmpl" . }}\n}\n',
  )
  await assert.rejects(validateProjectConfig({ cwd: dir }), (error: unknown) => {
    assert.ok(error instanceof GwError, String(error))
    assert.equal(error.exitCode, 2)
    assert.match(error.message, /gateway\.json \(rendered\) is not valid JSON$/)
    const location = error.problems[0]?.location
    assert.deepEqual([location?.line, location?.column], [6, 11])
    return true
  })
})
