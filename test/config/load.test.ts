import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { gwConfigJsonSchema } from '../../src/config/json-schema.ts'
import { loadConfig } from '../../src/config/load.ts'
import { deepMerge } from '../../src/config/merge.ts'
import { USER_TAGS_AT_MOST } from '../../src/config/providers/aws-tags.ts'
import { REDACTED, redact } from '../../src/config/redact.ts'
import { tempDir } from '../helpers/files.ts'

function project(files: Record<string, string>): string {
  const dir = tempDir('gwdeploy-config-')
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

test('applies defaults and resolves durations to milliseconds', () => {
  const dir = project({ 'gwdeploy.yml': 'service: demo\nhealth:\n  interval: 250ms\n' })
  const { config, files } = loadConfig({ cwd: dir, environ: {} })
  assert.equal(config.service, 'demo')
  assert.equal(config.health.interval, 250)
  assert.equal(config.health.deadline, 60_000)
  assert.equal(config.shift.keep, 1_800_000)
  assert.equal(config.provider.kind, 'local')
  assert.equal(config.provider.local.listen, '127.0.0.1:8080')
  assert.equal(config.gateway.name, '{service} rev-{sha7}')
  assert.equal(config.records.keep, 200)
  assert.deepEqual(files, [join(dir, 'gwdeploy.yml')])
})

test('an --env overlay deep-merges mappings and replaces lists', () => {
  const dir = project({
    'gwdeploy.yml':
      'service: demo\nfleet:\n  size: 2\n  port: 9000\nshift:\n  strategy: steps\n  steps: [10, 50, 100]\n',
    'gwdeploy.production.yml': 'fleet:\n  size: 6\nshift:\n  steps: [25, 100]\n',
  })
  const { config, files } = loadConfig({ cwd: dir, env: 'production', environ: {} })
  assert.equal(config.fleet.size, 6)
  assert.equal(config.fleet.port, 9000)
  assert.deepEqual(config.shift.steps, [25, 100])
  assert.equal(config.shift.strategy, 'steps')
  assert.equal(files.length, 2)
})

test('interpolates ${VAR}, ${VAR:-default} and $$', () => {
  const dir = project({
    'gwdeploy.yml':
      'service: demo\nimage:\n  repository: ${REG}/demo\n  base: ${BASE:-node:24-slim}\nhooks:\n  preRelease: ["echo $$HOME"]\n',
  })
  const { config } = loadConfig({ cwd: dir, environ: { REG: 'registry.example.com' } })
  assert.equal(config.image.repository, 'registry.example.com/demo')
  assert.equal(config.image.base, 'node:24-slim')
  // Hook commands stay templates until they run (src/core/hooks.ts expands ${VAR} and $$ then).
  assert.deepEqual(config.hooks.preRelease, ['echo $$HOME'])
})

test('a ${VAR} where a number or true/false belongs is read as one; other text names the variable', () => {
  const dir = project({
    'gwdeploy.yml':
      'service: demo\nfleet:\n  size: ${FLEET_SIZE:-3}\n  port: "${PORT}"\nimage:\n  push: ${PUSH}\nshift:\n  maxErrorRatio: ${RATIO}\n',
  })
  const { config } = loadConfig({ cwd: dir, environ: { PORT: '9000', PUSH: 'false', RATIO: '0.5' } })
  assert.equal(config.fleet.size, 3)
  assert.equal(config.fleet.port, 9000)
  assert.equal(config.image.push, false)
  assert.equal(config.shift.maxErrorRatio, 0.5)
  assert.throws(
    () => loadConfig({ cwd: dir, environ: { FLEET_SIZE: 'two', PORT: '9000', PUSH: 'yes', RATIO: '1' } }),
    (error: { problems: Array<{ message: string; location?: { path?: string; line?: number } }> }) => {
      assert.deepEqual(
        error.problems.map((p) => [p.location?.path, p.location?.line, p.message]),
        [
          ['fleet.size', 3, 'must be a number, not the string "two" (from ${FLEET_SIZE})'],
          ['image.push', 6, 'must be true or false, not the string "yes" (from ${PUSH})'],
        ],
      )
      return true
    },
  )
})

test('a number or true/false where a string belongs says to quote it', () => {
  const dir = project({ 'gwdeploy.yml': 'service: 123\ngateway:\n  name: true\n' })
  assert.throws(
    () => loadConfig({ cwd: dir, environ: {} }),
    (error: { problems: Array<{ message: string; hint?: string }> }) => {
      assert.deepEqual(
        error.problems.map((p) => [p.message, p.hint]),
        [
          [
            'must be a string, not the number 123',
            'Quote the value to make it a string (YAML reads an unquoted 123 as a number).',
          ],
          [
            'must be a string, not the boolean true',
            'Quote the value to make it a string (YAML reads an unquoted true as a boolean).',
          ],
        ],
      )
      return true
    },
  )
})

test('a duration longer than gwdeploy can wait is refused, located (release crashed on it: exit 1)', () => {
  const dir = project({ 'gwdeploy.yml': 'service: demo\nlock:\n  ttl: 99999999999h\nshift:\n  keep: 720h\n' })
  assert.throws(
    () => loadConfig({ cwd: dir, environ: {} }),
    (error: { problems: Array<{ message: string; location?: { path?: string } }> }) => {
      assert.deepEqual(
        error.problems.map((p) => [p.location?.path, p.message]),
        [['lock.ttl', '"99999999999h" is too long: at most 596h']],
      )
      return true
    },
  )
})

test('reports every problem at once', () => {
  const dir = project({
    'gwdeploy.yml': 'service: demo\nfleet:\n  size: 0\n  port: 99999\nhealth:\n  rise: two\n',
  })
  assert.throws(
    () => loadConfig({ cwd: dir, environ: {} }),
    (error: { problems: Array<{ location?: { path?: string } }> }) => {
      assert.deepEqual(
        error.problems.map((p) => p.location?.path),
        ['fleet.size', 'fleet.port', 'health.rise'],
      )
      return true
    },
  )
})

test('redacts secret-looking keys and values taken from secret-looking variables', () => {
  const redacted = redact(
    {
      service: 'demo',
      hooks: { preRelease: ['curl -H token'] },
      aws: { sessionToken: 'abc', region: 'eu' },
      url: 'x',
    },
    [{ path: ['hooks', 'preRelease', 0], variables: ['SLACK_TOKEN'] }],
  ) as Record<string, Record<string, unknown>>
  assert.deepEqual(redacted.hooks, { preRelease: [REDACTED] })
  assert.equal(redacted.aws?.sessionToken, REDACTED)
  assert.equal(redacted.aws?.region, 'eu')
})

test('deepMerge keeps base keys the overlay does not name', () => {
  assert.deepEqual(deepMerge({ a: { b: 1, c: [1] } }, { a: { c: [2] }, d: 1 }), { a: { b: 1, c: [2] }, d: 1 })
})

test('the committed JSON Schema is the one the zod schema generates', () => {
  const committed = JSON.parse(
    readFileSync(new URL('../../schema/gwdeploy.schema.json', import.meta.url), 'utf8'),
  )
  assert.deepEqual(
    committed,
    gwConfigJsonSchema(),
    'schema/gwdeploy.schema.json is stale: run `npm run schema`',
  )
})

test('readOnly: unset ${VAR}s used only by hooks and notify are not errors; the others still are', () => {
  const yml = [
    'service: demo',
    'hooks:',
    '  preRelease:',
    '    - echo $${API_TOKEN} ${API_TOKEN}',
    'notify:',
    '  webhooks:',
    '    - url: ${SLACK_WEBHOOK_URL}',
    '',
  ].join('\n')
  const dir = project({ 'gwdeploy.yml': yml })
  assert.throws(() => loadConfig({ cwd: dir, environ: {} }), /2 problems/)
  const { config } = loadConfig({ cwd: dir, environ: {}, readOnly: true })
  assert.deepEqual(config.hooks.preRelease, ['echo $${API_TOKEN} ${API_TOKEN}'])
  assert.deepEqual(config.notify.webhooks, [])
  const located = project({ 'gwdeploy.yml': `${yml}provider:\n  local:\n    stateDir: \${STATE_DIR}\n` })
  assert.throws(
    () => loadConfig({ cwd: located, environ: {}, readOnly: true }),
    (error: Error & { problems?: Array<{ message: string }> }) =>
      error.problems?.map((p) => p.message).join() === 'environment variable STATE_DIR is not set',
  )
})

test("provider.aws: the maintenance page's priority inside the range lockPriority reserves gets a hint outside it", () => {
  const listener =
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/gw/0123456789abcdef/0123456789abcdef'
  const yml = (lock: number) =>
    `service: demo\nimage:\n  repository: registry.example.com/gw\nprovider:\n  kind: aws\n  aws:\n    region: eu-west-1\n    listenerArn: ${listener}\n    subnets: [subnet-1]\n    ami: ami-1\n    lockPriority: ${lock}\n`
  const hintOf = (lock: number) => {
    try {
      loadConfig({ cwd: project({ 'gwdeploy.yml': yml(lock) }), environ: {} })
    } catch (error) {
      const problems = (error as { problems?: Array<{ message: string; hint?: string }> }).problems ?? []
      return problems.find((p) => p.message.includes('reserves below lockPriority'))?.hint
    }
    return undefined
  }
  // lockPriority 4 reserves 1-4: the default 1 is inside, and so was the hint's 1.
  assert.match(hintOf(4) ?? '', /^Use 5 or above, or a lockPriority of 5 or more/)
  assert.equal(hintOf(5), undefined)
})

test("provider.aws.tags past what fits beside gwdeploy's own on a resource (AWS allows 50) are a config error", () => {
  const listener =
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/gw/0123456789abcdef/0123456789abcdef'
  const withTags = (n: number) =>
    project({
      'gwdeploy.yml': `service: demo\nimage:\n  repository: registry.example.com/gw\nprovider:\n  kind: aws\n  aws:\n    region: eu-west-1\n    listenerArn: ${listener}\n    subnets: [subnet-1]\n    ami: ami-1\n    tags:\n${Array.from({ length: n }, (_, i) => `      t${i}: v\n`).join('')}`,
    })
  const { config } = loadConfig({ cwd: withTags(USER_TAGS_AT_MOST), environ: {} })
  assert.equal(Object.keys(config.provider.aws?.tags ?? {}).length, 39)
  assert.throws(
    () => loadConfig({ cwd: withTags(USER_TAGS_AT_MOST + 1), environ: {} }),
    (error: {
      problems?: Array<{ message: string; hint?: string; location?: { line?: number; path?: string } }>
    }) => {
      const problem = error.problems?.[0]
      assert.equal(problem?.location?.path, 'provider.aws.tags')
      assert.equal(problem?.location?.line, 11)
      assert.match(
        problem?.message ?? '',
        /^40 tags: at most 39 fit, AWS allows 50 .* gwdeploy adds up to 11/,
      )
      assert.equal(problem?.hint, 'Remove 1 of them.')
      return true
    },
  )
})

test('provider.aws.tags AWS would refuse are config errors at their line, so `config validate` says so too', () => {
  const listener =
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/gw/0123456789abcdef/0123456789abcdef'
  const dir = project({
    'gwdeploy.yml': `service: demo\nimage:\n  repository: registry.example.com/gw\nprovider:\n  kind: aws\n  aws:\n    region: eu-west-1\n    listenerArn: ${listener}\n    subnets: [subnet-1]\n    ami: ami-1\n    tags:\n      team: api\n      "aws:owner": me\n      note: ${'x'.repeat(300)}\n`,
  })
  try {
    loadConfig({ cwd: dir, environ: {} })
    assert.fail('loaded')
  } catch (error) {
    const problems = (
      error as { problems?: Array<{ message: string; location?: { line?: number; path?: string } }> }
    ).problems
    assert.deepEqual(
      problems?.map((p) => [p.location?.path, p.location?.line]),
      [
        ['provider.aws.tags.aws:owner', 13],
        ['provider.aws.tags.note', 14],
      ],
    )
    assert.match(problems?.[1]?.message ?? '', /at most 256 characters \(this one 300\)/)
  }
})
