// Component libraries are loaded when a config first needs them, not at start-up, and metrics load
// only the prom-client parts they use: checked in a fresh process (module state is per process)
// that records every module it resolves.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir } from '../helpers/files.ts'
import { RECORD_RESOLVED_MODULES } from './helpers.ts'

const src = (path: string) => new URL(`../../src/gateway/${path}`, import.meta.url).href
const LIBRARIES = ['ajv', 'jose', '@marcbachmann/cel-js', 'fast-xml-parser', 'yaml', 're2js', 'fengari']

const script = `${RECORD_RESOLVED_MODULES}
const loaded = () =>
  ${JSON.stringify(LIBRARIES)}.filter((name) =>
    [...resolved].some((url) => url.includes('/node_modules/' + name + '/')),
  )
const { createGateway } = await import('${src('app.ts')}')
const { loadGatewayConfig } = await import('${src('config/load.ts')}')
const { compileSchema } = await import('${src('components/json-schema.ts')}')
const { parseXml } = await import('${src('xml-encoding.ts')}')
const { parseFeed } = await import('${src('rss-encoding.ts')}')
const { writeYaml } = await import('${src('yaml-encoding.ts')}')
const { celLibrary, fengariLibrary, joseLibrary } = await import('${src('libraries.ts')}')
const { compileGoRegExp } = await import('${src('components/go-regexp.ts')}')

const { config } = loadGatewayConfig(process.argv[1])
const gateway = createGateway(config, { metrics: true })
const atStart = loaded()
// prom-client's index also loads its Pushgateway (https, zlib) and Summary (t-digest).
const promClientIndex = [...resolved].filter((url) => url.endsWith('/node_modules/prom-client/index.js'))
compileSchema({ type: 'object' })
parseXml('<a>1</a>')
parseFeed('<rss><channel><title>t</title></channel></rss>')
writeYaml({ a: 1 })
loadGatewayConfig(process.argv[2])
celLibrary()
joseLibrary()
fengariLibrary()
compileGoRegExp('bot')
console.log(JSON.stringify({ atStart, afterUse: loaded(), promClientIndex }))
await gateway.close()
`

test('a gateway without JWT, JSON schema, CEL, XML, YAML, Go regexps or Lua loads none of their libraries', () => {
  const dir = tempDir('gw-libs-')
  const file = join(dir, 'gateway.json')
  writeFileSync(
    file,
    JSON.stringify({
      version: 3,
      name: 'plain',
      // Without patterns or regex allowed_hosts, these two compare strings: no regexp library.
      extra_config: {
        'security/bot-detector': { deny: ['curl/8'] },
        'security/http': { allowed_hosts: ['api.example.com'] },
      },
      endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] }],
    }),
  )
  // The YAML output is goccy's emitter written here; the yaml library parses YAML configs.
  const yamlFile = join(dir, 'gateway.yaml')
  writeFileSync(yamlFile, 'version: 3\nendpoints: []\n')
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, file, yamlFile], {
    encoding: 'utf8',
  })
  const { atStart, afterUse, promClientIndex } = JSON.parse(out) as {
    atStart: string[]
    afterUse: string[]
    promClientIndex: string[]
  }
  assert.deepEqual(atStart, [])
  assert.deepEqual(promClientIndex, [], 'metrics use the prom-client parts they need, not its index')
  // The same probe sees each library once something uses it.
  assert.deepEqual(afterUse, LIBRARIES)
})
