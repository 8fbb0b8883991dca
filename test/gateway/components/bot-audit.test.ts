import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { compileBotDetector } from '../../../src/gateway/components/bot-detector.ts'
import { compileGoRegExp } from '../../../src/gateway/components/go-regexp.ts'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { freePort, send, sendRaw } from '../helpers.ts'

// krakend-botdetector v2.3.1 compiles `patterns` with Go's regexp (RE2 syntax) and compares
// `allow`/`deny` byte for byte with the User-Agent header.
const gw = gatewayWith((backend) => ({
  version: 3,
  name: 'bot-audit',
  extra_config: {
    'security/bot-detector': {
      deny: ['Bötbot/1.0', 'probe/1.0'],
      patterns: [
        '^bot\\x{FFFD}{2}$',
        'evilbot\\z',
        'crawler[[:digit:]]+',
        '\\x{41}gentX',
        '\\Qscan.er\\E',
        'Mozilla(?i)SPIDER',
        '^curl/[\\d.]+$',
      ],
    },
  },
  endpoints: [{ endpoint: '/x', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
}))

const status = async (agent: string) =>
  (await send(gw.url, { path: '/x', headers: { 'user-agent': agent } })).status

/** A request written byte for byte (a User-Agent in UTF-8, as curl sends it); its status. */
const rawStatus = async (url: string, head: Buffer) => (await sendRaw(url, head)).status

describe('security/bot-detector: patterns read as Go RE2', () => {
  test('\\z, POSIX classes, \\x{..}, \\Q..\\E and a mid-pattern (?i) match as in Go', async () => {
    assert.equal(await status('Mozilla/5.0 evilbot'), 403, '\\z is the end of the text')
    assert.equal(await status('Mozilla/5.0 evilbotz'), 200)
    assert.equal(await status('crawler42'), 403, '[[:digit:]] is a POSIX class')
    assert.equal(await status('AgentX'), 403, '\\x{41} is "A"')
    assert.equal(await status('my scan.er'), 403, '\\Q..\\E quotes')
    assert.equal(await status('my scanXer'), 200, 'the quoted dot is literal')
    assert.equal(await status('MozillaSpider'), 403, '(?i) applies from where it stands')
    assert.equal(await status('mozillaSPIDER'), 200, '...and not before')
    assert.equal(await status('curl/8.5.0'), 403)
    assert.equal(await status('Mozilla/5.0'), 200)
  })

  test('a deny entry with non-ASCII characters matches the UTF-8 bytes of the header', async () => {
    const ua = Buffer.from('Bötbot/1.0', 'utf8')
    const head = (agent: Buffer) =>
      Buffer.concat([
        Buffer.from('GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\nUser-Agent: '),
        agent,
        Buffer.from('\r\n\r\n'),
      ])
    assert.equal(await rawStatus(gw.url, head(ua)), 403)
    assert.equal(await rawStatus(gw.url, head(Buffer.from('Bötbot/1.0', 'latin1'))), 200)
  })

  test('invalid UTF-8 in the User-Agent: each bad byte is one U+FFFD, as Go decodes it', async () => {
    const head = (agent: Buffer) =>
      Buffer.concat([
        Buffer.from('GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\nUser-Agent: '),
        agent,
        Buffer.from('\r\n\r\n'),
      ])
    // "\xE2\x82" is a cut-off euro sign: two runes for Go (a decoder would make it one).
    assert.equal(await rawStatus(gw.url, head(Buffer.from('626f74e282', 'hex'))), 403)
    assert.equal(await rawStatus(gw.url, head(Buffer.from('626f74e282ac', 'hex'))), 200, '"bot€"')
  })

  test('Go semantics that JavaScript RegExp reads differently', () => {
    const m = (pattern: string, text: string) => compileGoRegExp(pattern).test(text)
    assert.equal(m('evilbot\\z', 'evilbotz'), false, '\\z is the end of the text')
    assert.equal(m('evilbot\\z', 'an evilbot'), true)
    assert.equal(m('[[:digit:]]', '7'), true, 'a POSIX class')
    assert.equal(m('\\Qa.b\\E', 'axb'), false, '\\Q..\\E quotes')
    assert.equal(m('a.c', 'a\rc'), true, 'Go . excludes only \\n')
    assert.equal(m('a.c', 'a\nc'), false)
    assert.equal(m('(?s)a.c', 'a\nc'), true)
    assert.equal(m('\\s', '\v'), false, 'Go \\s has no \\v')
    assert.equal(m('\\s', '\u00a0'), false, 'Go \\s is ASCII')
    assert.equal(m('(?i)k', '\u212a'), true, 'Go folds K to the Kelvin sign')
    assert.equal(m('[]a]', ']'), true, 'a leading ] is literal in a Go class')
    assert.equal(m('x{,2}', 'x{,2}'), true, 'an invalid repeat is literal')
    assert.equal(m('(?m)^b$', 'a\nb\nc'), true)
    assert.equal(m('^b$', 'a\nb\nc'), false)
    assert.equal(m('b$', 'ab\n'), false, 'without (?m), $ is the end of the text only')
    assert.equal(m('\\101', 'A'), true, 'octal escape')
    assert.equal(m('(?i:A)b', 'ab'), true)
    assert.equal(m('(?i:A)b', 'aB'), false)
    assert.equal(m('Mozilla(?i)SPIDER', 'mozillaspider'), false, '(?i) applies from where it stands')
    assert.equal(m('Mozilla(?i)SPIDER', 'Mozillaspider'), true)
    assert.equal(m('(a(?i)b|c)', 'C'), true, 'flags last to the end of the group, across |')
    assert.equal(m('\\bfoo\\b', 'éfooé'), true, 'Go \\b is ASCII')
    assert.equal(m('\\p{Greek}+', 'αβ'), true)
    assert.equal(m('[[:^alpha:]]', 'a'), false)
    assert.equal(m('(?U)a+b', 'xaab'), true, '(?U) only swaps greediness')
    assert.equal(m('^.$', '\u{1F600}'), true, 'one rune, not two UTF-16 units')
  })
})

describe('security/bot-detector: refused where KrakenD reads the config differently', () => {
  const errorsOf = (detector: Record<string, unknown>) =>
    validateGatewayConfig({
      version: 3,
      extra_config: { 'security/bot-detector': detector },
      endpoints: [],
    }).errors.map((e) => e.location?.path)

  test('syntax Go rejects (KrakenD drops the whole detector) is a config error', () => {
    const rejected = [
      '(?=x)',
      'a(?!b)',
      '(?<=a)b',
      '(a)\\1',
      '\\Z',
      '\\C',
      'a**',
      'x{1001}',
      '(x{2}){501}',
      '\\pX',
    ]
    // Go 1.25 has no binary properties and no scripts newer than Unicode 15.0; its name lookup
    // (regexp/syntax canonicalName: one capital, no "_") never finds Old_Italic or SignWriting.
    rejected.push('\\p{Alphabetic}', '\\p{Emoji}', '\\p{Garay}', '\\p{Old_Italic}', '[\\P{White_Space}]')
    for (const p of rejected)
      assert.deepEqual(errorsOf({ patterns: [p] }), ['extra_config.security/bot-detector.patterns[0]'], p)
  })

  test("Unicode classes are Go 1.25's (Unicode 15.0): names as Go reads them, refused only with (?i) where folds differ", () => {
    const refused = [
      '(?i)\\pL',
      '(?i)\\p{Ll}',
      '(?i)\\x{264}',
      '(?i)[\\x{100}-\\x{300}]',
      '(?i:ɤ)',
      // Go 1.25 cannot find a script whose name has an underscore, nor an unknown name.
      '\\p{Old_Italic}',
      '\\p{Klingon}',
    ]
    for (const p of refused)
      assert.deepEqual(errorsOf({ patterns: [p] }), ['extra_config.security/bot-detector.patterns[0]'], p)
    const accepted = [
      '(?U)a+',
      '\\p{Greek}',
      '\\PZ',
      '\\p{^Hebrew}',
      '(?i)[^/]+bot',
      '(?i)bötbot',
      '\\x{264}',
      '(?i)\\Q[\\E',
      '\\pL',
      '\\p{Lu}',
      '[^\\PN]',
      '\\p{^Latin}',
      '\\p{greek}',
      '\\p{Letter}',
      '\\p{cased letter}',
    ]
    for (const p of accepted) assert.deepEqual(errorsOf({ patterns: [p] }), [], p)
  })

  test("a class whose Unicode 17.0 table differs matches Go's members: U+1C89 (Unicode 16.0) is not \\p{Lu} in Go 1.25", () => {
    const upper = compileGoRegExp('^\\p{Lu}$')
    assert.equal(upper.test('A'), true)
    assert.equal(upper.test('\u1c89'), false)
    assert.equal(compileGoRegExp('^\\P{Lu}$').test('\u1c89'), true)
    assert.equal(compileGoRegExp('^[\\p{Letter}0-9]+$').test('Ab9é'), true)
    assert.equal(compileGoRegExp('^\\p{Assigned}$').test('\u{2ebf0}'), false, 'CJK Ext. I: Unicode 15.1')
  })

  test('Go decodes JSON keys case-insensitively: "Deny" is read by KrakenD, and here', () => {
    assert.deepEqual(errorsOf({ Deny: ['curl/8'] }), [])
    assert.deepEqual(errorsOf({ cache_size: 1.5 }), ['extra_config.security/bot-detector.cache_size'])
  })
})

describe('security/bot-detector: the service-level middleware and the health route', () => {
  test('compiled with the health path, GET /__health is not checked (hooks.ts must pass it)', () => {
    const detector = compileBotDetector(
      { allow: [], deny: ['probe'], patterns: [], cacheSize: 0, rejectEmpty: false },
      () => {},
      '/__health',
    )
    const req = (method: string, url: string) => ({ method, url, headers: { 'user-agent': 'probe' } })
    assert.equal(detector(req('GET', '/__health')), undefined)
    assert.equal(detector(req('POST', '/__health'))?.status, 403, 'other methods reach gin 405 handlers')
    assert.equal(detector(req('GET', '/x'))?.status, 403)
  })

  test('a bot gets 200 from GET /__health and 403 elsewhere (service-level detector)', async () => {
    assert.equal(
      (await send(gw.url, { path: '/__health', headers: { 'user-agent': 'probe/1.0' } })).status,
      200,
    )
    assert.equal(await status('probe/1.0'), 403)
  })
})

describe('security/bot-detector: patterns match in linear time', () => {
  // A gateway process of its own: a pattern that backtracks forever would stall its event loop,
  // and this test's bounded wait turns that into a failure.
  let dir: string
  let child: ChildProcess | undefined
  let url: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-bot-redos-'))
    const port = await freePort()
    await writeFile(
      join(dir, 'gateway.json'),
      JSON.stringify({
        version: 3,
        name: 'bot-redos',
        listen_ip: '127.0.0.1',
        port,
        extra_config: {
          'security/bot-detector': { patterns: ['(a+)+$', '^(a|a)*$'] },
          'gwdeploy/runtime': { workers: 1 },
          'telemetry/logging': { level: 'CRITICAL' },
        },
        endpoints: [{ endpoint: '/x', backend: [{ host: [gw.backend.origin], url_pattern: '/echo' }] }],
      }),
    )
    const main = new URL('../../../src/gateway/main.ts', import.meta.url).pathname
    child = spawn(process.execPath, [main, '--config', join(dir, 'gateway.json')], { stdio: 'ignore' })
    url = `http://127.0.0.1:${port}`
    for (let i = 0; i < 200 && child.exitCode === null; i += 1) {
      if ((await send(url, { path: '/__health' }).catch(() => undefined))?.status === 200) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error('the gateway process never became healthy')
  })
  after(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
    await rm(dir, { recursive: true, force: true })
  })

  test('(a+)+$ and ^(a|a)*$ against a 50 KB crafted User-Agent get an answer', async () => {
    const within = <T>(answer: Promise<T>) =>
      Promise.race([
        answer,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error('no answer within 60 s: the pattern stalls the gateway')),
            60_000,
          ).unref(),
        ),
      ])
    const crafted = `${'a'.repeat(50_000)}!`
    const res = await within(send(url, { path: '/x', headers: { 'user-agent': crafted } }))
    assert.equal(res.status, 200, 'neither pattern matches')
    assert.equal((await within(send(url, { path: '/x', headers: { 'user-agent': 'aaaa' } }))).status, 403)
  })
})
