/** What the stamp step warns about reaches the run's output located, as `config validate` shows it. */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { release } from '../../src/core/engine.ts'
import { type Harness, makeHarness, messages, sha } from './helpers/engine-harness.ts'

describe('release warnings about the gateway config', () => {
  let h: Harness
  before(async () => {
    h = await makeHarness({ shift: { bake: 0 } })
  })
  after(async () => {
    await h.cleanup()
  })

  it('an endpoint the runtime drops is named with its file:line and key path', async () => {
    const endpoint = (path: string, method: string) =>
      `{"endpoint": "${path}", "method": "${method}", "backend": [{"host": ["http://127.0.0.1:19"], "url_pattern": "/x"}]}`
    await writeFile(
      join(h.dir, 'gateway.json'),
      `{\n  "version": 3,\n  "endpoints": [\n    ${endpoint('/ok', 'GET')},\n    ${endpoint('/typo', 'GETT')}\n  ]\n}\n`,
    )
    const out = await h.run((ctx) => release(ctx, { sha: sha(1) }))
    assert.equal(out.code, 0, out.error?.message)
    const warned = messages(out.events).filter((m) => m.includes('GETT'))
    assert.equal(warned.length, 1, messages(out.events).join('\n'))
    assert.match(
      warned[0] ?? '',
      /gateway\.json:5:27 \(endpoints\[1\]\.method\): endpoint \/typo: method "GETT" is not served/,
    )
  })
})
