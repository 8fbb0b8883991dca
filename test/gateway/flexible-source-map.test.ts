/**
 * The source map of a rendered flexible config: every offset of the rendered text maps back to the
 * template text, partial, sub-template or action (with its settings key) that wrote it; template
 * execution errors are worded as Go's text/template words them (what KrakenD logs).
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { renderedOrigin } from '../../src/gateway/config/flexible/origin.ts'
import { renderFlexibleConfigMapped } from '../../src/gateway/config/flexible/render.ts'
import {
  describeOrigin,
  lineColumnAt,
  sourcePositionOf,
} from '../../src/gateway/config/flexible/source-map.ts'
import { checkGatewayConfigFile } from '../../src/gateway/config/load.ts'
import { stampGatewayConfig } from '../../src/image/stamp.ts'
import { tempDir } from '../helpers/files.ts'

function project(files: Record<string, string>): string {
  const dir = tempDir('gwd-fc-map-')
  for (const sub of ['settings', 'partials', 'templates']) mkdirSync(join(dir, sub))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

const options = (dir: string) => ({
  settings: join(dir, 'settings'),
  partials: join(dir, 'partials'),
  templates: join(dir, 'templates'),
  env: () => undefined,
})

const TEMPLATE = `{
  "version": 3,
  {{ include "x.tmpl" }}
  "port": {{ .service.port }},
  "hosts": {{ marshal .service.hosts }},
  "endpoints": [{{ template "ep.tmpl" . }}],
  "name": "gw"
}
`

function rendered() {
  const dir = project({
    'settings/service.json': '{"port": 8080, "hosts": ["http://a"]}',
    'partials/x.tmpl': '"timeout": "3s",\n"cache_ttl": "1s",\n"output_encoding": "json",\n',
    'templates/ep.tmpl': '{{ define "ep.tmpl" }}\n  {"endpoint": "/a",\n   "backend": []}{{ end }}',
    'gateway.json': TEMPLATE,
  })
  const { text, map } = renderFlexibleConfigMapped(join(dir, 'gateway.json'), options(dir))
  return { dir, text, map: map() }
}

/** Where the first occurrence of `needle` in the rendered text came from, as "file:line:column". */
function origin(needle: string) {
  const { dir, text, map } = rendered()
  const offset = text.indexOf(needle)
  assert.ok(offset >= 0, needle)
  const position = sourcePositionOf(map, offset)
  assert.ok(position)
  return {
    at: `${position.file.slice(dir.length + 1)}:${position.line}:${position.column}`,
    note: describeOrigin(position, dir),
  }
}

describe('flexible config source map', () => {
  it('maps the template text to its own line and column, after an include of 3 lines', () => {
    // Rendered, `"name"` is on line 12 (after the partial and the sub-template); the template wrote it on line 7.
    const { text } = rendered()
    assert.equal(lineColumnAt(text, text.indexOf('"name"')).line, 12)
    assert.deepEqual(origin('"name"'), { at: 'gateway.json:7:3', note: undefined })
    assert.deepEqual(origin('"endpoints"'), { at: 'gateway.json:6:3', note: undefined })
  })

  it("maps an include's text to the partial's line, naming the include", () => {
    assert.deepEqual(origin('"cache_ttl"'), {
      at: 'partials/x.tmpl:2:1',
      note: 'the text was written by {{ include "x.tmpl" }} at gateway.json:3:3',
    })
    assert.deepEqual(origin('json"'), {
      at: 'partials/x.tmpl:3:21',
      note: 'the text was written by {{ include "x.tmpl" }} at gateway.json:3:3',
    })
  })

  it("maps a sub-template's text to its file and line", () => {
    assert.deepEqual(origin('"backend"'), { at: 'templates/ep.tmpl:3:4', note: undefined })
  })

  it('maps a settings value to the action that printed it, naming the settings file and key', () => {
    assert.deepEqual(origin('8080'), {
      at: 'gateway.json:4:11',
      note: 'the text was printed by {{ .service.port }} at gateway.json:4:11: the value of "port" in settings/service.json',
    })
    assert.deepEqual(origin('["http://a"]'), {
      at: 'gateway.json:5:12',
      note: 'the text was printed by {{ marshal .service.hosts }} at gateway.json:5:12: the value of "hosts" in settings/service.json',
    })
  })

  it('maps the end of the text to where the template ends', () => {
    const { text, map } = rendered()
    assert.deepEqual(sourcePositionOf(map, text.length), { file: map.spans.at(-1)?.file, line: 9, column: 1 })
  })

  it('names a key by where it is written and its value by the action that printed it', () => {
    const { dir, text, map } = rendered()
    const origin = renderedOrigin(() => map, dir)
    const key = text.indexOf('"port"')
    const { location, note } = origin.locate(key, text.indexOf('8080'))
    assert.deepEqual(location, { file: 'gateway.json', line: 4, column: 3 })
    assert.match(
      note ?? '',
      /^the value was printed by \{\{ \.service\.port \}\}.*"port" in settings\/service\.json$/,
    )
    const [problem] = origin.explain([{ message: 'bad port', location: { ...location, path: 'port' } }])
    assert.match(problem?.hint ?? '', /^The value was printed by \{\{ \.service\.port \}\}/)
  })
})

describe('template execution errors name what Go text/template (KrakenD) names', () => {
  const fails = (template: string) => {
    const dir = project({ 'settings/service.json': '{"port": 8080}', 'gateway.json': template })
    try {
      renderFlexibleConfigMapped(join(dir, 'gateway.json'), options(dir))
    } catch (error) {
      return error as Error & { location?: Record<string, unknown> }
    }
    assert.fail('rendered')
  }

  it('template name, line, 0-based column, the executing template and the action', () => {
    const error = fails('{\n  "port": {{ .service.nope }}\n}\n')
    assert.match(
      error.message,
      /^flexible configuration: template: gateway\.json:2:13: executing "gateway\.json" at <\.service\.nope>: /,
    )
    assert.deepEqual(error.location, { file: error.location?.file, line: 2, column: 14 })
  })

  it('a function error inside a define names the define it executes', () => {
    const error = fails('{{ define "x" }}\n {{ include "nope.json" }}{{ end }}{{ template "x" . }}')
    assert.match(
      error.message,
      /template: gateway\.json:2:4: executing "x" at <include "nope\.json">: error calling include: /,
    )
  })

  it('parse errors: template name and line', () => {
    assert.match(fails('{\n{{ if .x }}\n').message, /template: gateway\.json:2: unexpected end of file/)
  })
})

describe('the runtime (gateway check, start) locates problems of a rendered config in its sources', () => {
  it('a refused value inside quotes: the key where the template writes it, the settings key in the hint', () => {
    const dir = project({
      'settings/service.json': '{"port": 8080, "timeout": "soon"}',
      'partials/x.tmpl': '"cache_ttl": "1s",\n',
      'gateway.json':
        '{\n  "version": 3,\n  {{ include "x.tmpl" }}\n  "timeout": "{{ .service.timeout }}",\n  "endpoints": []\n}\n',
    })
    const result = checkGatewayConfigFile(join(dir, 'gateway.json'), {
      environ: { FC_ENABLE: '1', FC_SETTINGS: join(dir, 'settings'), FC_PARTIALS: join(dir, 'partials') },
    })
    const problem = result.errors.find((p) => p.location?.path === 'timeout')
    assert.ok(problem, JSON.stringify(result.errors))
    const { file, ...at } = problem.location ?? {}
    assert.deepEqual([file?.endsWith('/gateway.json'), at], [true, { line: 4, column: 3, path: 'timeout' }])
    assert.match(
      problem.hint ?? '',
      /printed by \{\{ \.service\.timeout \}\} at \S*gateway\.json:4:15: the value of "timeout" in \S*service\.json/,
    )
  })
})

describe('release (stamp) locates a leftover "{{" in the rendered config at what printed it', () => {
  it('a settings value holding "{{": the action that printed it, the settings key in the hint', async () => {
    const dir = project({
      'settings/service.json': '{"note": "{{ oops }}"}',
      'gateway.json': '{\n  "version": 3,\n  "endpoints": [],\n  "@comment": "{{ .service.note }}"\n}\n',
    })
    await assert.rejects(
      stampGatewayConfig({
        file: join(dir, 'gateway.json'),
        service: 'svc',
        sha: 'a'.repeat(40),
        flexible: { settings: join(dir, 'settings'), env: {} },
      }),
      (error: Error & { location?: Record<string, unknown>; hint?: string }) => {
        assert.match(error.message, /the rendered config still contains "\{\{"/)
        const { file, ...at } = error.location ?? {}
        assert.deepEqual([String(file).endsWith('gateway.json'), at], [true, { line: 4, column: 16 }])
        assert.match(
          error.hint ?? '',
          /printed by \{\{ \.service\.note \}\} .*the value of "note" in \S*service\.json/,
        )
        return true
      },
    )
  })
})
