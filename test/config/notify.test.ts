import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/load.ts'
import { redactUrl } from '../../src/config/notify.ts'
import { redact } from '../../src/config/redact.ts'
import { isGwError } from '../../src/core/errors.ts'
import { tempDir } from '../helpers/files.ts'

function project(yaml: string): string {
  const dir = tempDir('gwdeploy-notify-')
  writeFileSync(join(dir, 'gwdeploy.yml'), yaml)
  return dir
}

test('redactUrl keeps scheme, host and the first path segment; drops credentials, the rest and the query', () => {
  assert.equal(
    redactUrl('https://hooks.slack.com/services/T000/B000/XXXXSECRET'),
    'https://hooks.slack.com/services/[redacted]',
  )
  assert.equal(
    redactUrl(
      'https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SECRET',
    ),
    'https://prod-01.westeurope.logic.azure.com/workflows/[redacted]?[redacted]',
  )
  assert.equal(redactUrl('http://user:pw@example.com/hook'), 'http://[redacted]@example.com/[redacted]')
  assert.equal(redactUrl('not a url SECRET'), '[redacted url]')
})

test('notify: defaults, the webhook URL from the environment, redacted by config show', () => {
  const dir = project('service: demo\nnotify:\n  webhooks:\n    - url: ${HOOK_URL}\n      format: slack\n')
  const loaded = loadConfig({
    cwd: dir,
    environ: { HOOK_URL: 'https://hooks.slack.com/services/T/B/SECRET' },
  })
  assert.deepEqual(loaded.config.notify, {
    webhooks: [{ url: 'https://hooks.slack.com/services/T/B/SECRET', format: 'slack' }],
    timeout: 5_000,
    retries: 2,
    flushTimeout: 2_000,
  })
  const shown = JSON.stringify(redact(loaded.config, loaded.fromEnv))
  assert.ok(!shown.includes('SECRET'), shown)
  assert.match(shown, /"url":"https:\/\/hooks\.slack\.com\/services\/\[redacted\]"/)
})

test('a webhook that is not an http(s) URL or an unknown event: exit 2 naming the key path', () => {
  const dir = project(
    'service: demo\nnotify:\n  webhooks:\n    - url: hooks.slack.com/x\n      events: [deployed]\n',
  )
  assert.throws(
    () => loadConfig({ cwd: dir, environ: {} }),
    (error) => {
      assert.ok(isGwError(error))
      assert.equal(error.exitCode, 2)
      const paths = error.problems.map((p) => p.location?.path)
      assert.ok(paths.includes('notify.webhooks[0].url'), JSON.stringify(error.problems))
      assert.ok(
        paths.some((p) => p?.startsWith('notify.webhooks[0].events')),
        JSON.stringify(error.problems),
      )
      return true
    },
  )
})
