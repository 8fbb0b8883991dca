// backend/graphql query_path: read relative to the working directory when the config is loaded (gateway
// check, gateway run), and relative to the config when a release stamps it into `query`.
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { checkGatewayConfigFile } from '../../src/gateway/config/load.ts'
import { stampGatewayConfig } from '../../src/image/stamp.ts'
import { tempDir } from '../helpers/files.ts'

const QUERY = 'query Hero($id: ID!) { hero(id: $id) { name } }\n'

function project(queryPath: string, key = 'query_path'): string {
  const dir = tempDir('gw-graphql-')
  mkdirSync(join(dir, 'queries'))
  writeFileSync(join(dir, 'queries', 'hero.graphql'), QUERY)
  const file = join(dir, 'krakend.json')
  const backend = {
    host: ['http://127.0.0.1:19'],
    url_pattern: '/graphql',
    extra_config: { 'backend/graphql': { type: 'query', query: 'ignored', [key]: queryPath } },
  }
  writeFileSync(
    file,
    JSON.stringify(
      { version: 3, name: 'g', endpoints: [{ endpoint: '/hero', backend: [backend] }] },
      null,
      2,
    ),
  )
  return file
}

test('query_path is read relative to the working directory, as KrakenD reads it, and its text replaces query', () => {
  const file = project('./queries/hero.graphql')
  assert.equal(checkGatewayConfigFile(file).config, undefined, 'not found from another directory')
  process.chdir(dirname(file))
  const result = checkGatewayConfigFile(file)
  assert.deepEqual(result.errors, [])
  assert.equal(result.config?.endpoints[0]?.backends[0]?.components?.graphql?.query, QUERY)
})

test('a query_path that cannot be read is an error at its line', () => {
  const file = project('queries/missing.graphql')
  process.chdir(dirname(file))
  const result = checkGatewayConfigFile(file)
  assert.equal(result.config, undefined)
  assert.match(
    result.errors[0]?.message ?? '',
    /cannot read the GraphQL query file "queries\/missing.graphql": ENOENT/,
  )
  assert.equal(result.errors[0]?.location?.file, file)
  assert.equal(typeof result.errors[0]?.location?.line, 'number')
})

test('a stamped release carries the query, not the path', async () => {
  const stamped = await stampGatewayConfig({
    file: project('queries/hero.graphql'),
    service: 's',
    sha: 'abcdef0',
  })
  assert.ok(stamped.json.includes(JSON.stringify(QUERY)))
  assert.ok(!stamped.json.includes('query_path'))
  await assert.rejects(
    stampGatewayConfig({ file: project('nowhere.graphql'), service: 's', sha: 'abcdef0' }),
    /a file the gateway config names cannot be read/,
  )
})

test('a query_path key in another case is read too (lura decodes the options with encoding/json)', async () => {
  const file = project('queries/hero.graphql', 'Query_Path')
  process.chdir(dirname(file))
  const result = checkGatewayConfigFile(file)
  assert.deepEqual(result.errors, [])
  assert.equal(result.config?.endpoints[0]?.backends[0]?.components?.graphql?.query, QUERY)
  const stamped = await stampGatewayConfig({ file, service: 's', sha: 'abcdef0' })
  assert.ok(stamped.json.includes(JSON.stringify(QUERY)))
  assert.ok(!/query_path/i.test(stamped.json))
  const missing = checkGatewayConfigFile(project('queries/missing.graphql', 'QUERY_PATH'))
  assert.match(missing.errors[0]?.message ?? '', /cannot read the GraphQL query file/)
})
