import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLogger, MAX_PENDING_OUTPUT } from '../../src/gateway/logging.ts'

const capture = (options: Partial<Parameters<typeof createLogger>[0]> = {}) => {
  const lines: string[] = []
  const logger = createLogger({
    level: 'INFO',
    format: 'default',
    prefix: '[GW]',
    accessLog: true,
    out: { write: (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)), writableLength: 0 },
    ...options,
  })
  return { logger, lines }
}

test('levels below the threshold are dropped; KrakenD level names appear', () => {
  const { logger, lines } = capture({ level: 'WARNING' })
  logger.debug('d')
  logger.info('i')
  logger.warning('w', { endpoint: '/a' })
  logger.error('e')
  logger.critical('c')
  logger.access('GET', '/a', 200, 1.5, '127.0.0.1')
  logger.flush()
  assert.equal(lines.length, 3)
  assert.match(lines[0] ?? '', /\[GW\] ▶ WARNING w endpoint=\/a$/)
  assert.match(lines[1] ?? '', /ERROR {3}e$/)
  assert.match(lines[2] ?? '', /CRITICAL c$/)
  assert.equal(logger.isEnabled('DEBUG'), false)
  assert.equal(logger.isEnabled('ERROR'), true)
})

test('json format writes one JSON object per line, including access lines', () => {
  const { logger, lines } = capture({ format: 'json' })
  logger.info('hello', { n: 1 })
  logger.access('POST', '/x?y="z"', 201, 0.25, '10.0.0.1')
  logger.flush()
  const [info, access] = lines.map((l) => JSON.parse(l))
  assert.equal(info.level, 'INFO')
  assert.equal(info.msg, 'hello')
  assert.equal(info.n, 1)
  assert.equal(access.path, '/x?y="z"')
  assert.equal(access.status, 201)
})

test('lines are batched and written on the next turn of the event loop', async () => {
  const { logger, lines } = capture()
  logger.info('a')
  logger.info('b')
  assert.equal(lines.length, 0)
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(
    lines.map((l) => l.slice(-1)),
    ['a', 'b'],
  )
})

test('access logs can be disabled (router.disable_access_log)', () => {
  const { logger, lines } = capture({ accessLog: false })
  logger.access('GET', '/a', 200, 1, undefined)
  logger.flush()
  assert.equal(lines.length, 0)
})

test('router.logger_skip_paths: those request paths are left out of the access log, whatever the query', () => {
  const { logger, lines } = capture({ skipPaths: ['/__health', '/ping'] })
  logger.access('GET', '/__health', 200, 1, undefined)
  logger.access('GET', '/ping?probe=1', 200, 1, undefined)
  logger.access('GET', '/ping/x', 200, 1, undefined)
  logger.access('GET', '/users', 200, 1, undefined)
  logger.flush()
  assert.equal(lines.length, 2)
  assert.match(lines[0] ?? '', /GET "\/ping\/x"$/)
  assert.match(lines[1] ?? '', /GET "\/users"$/)
})

test('a reader that stops reading: lines are dropped past MAX_PENDING_OUTPUT, then counted in an ERROR line', () => {
  const written: string[] = []
  const out = { writableLength: 0, write: (chunk: string) => written.push(chunk) }
  const logger = createLogger({ level: 'INFO', format: 'default', prefix: '[GW]', accessLog: true, out })
  logger.access('GET', '/before', 200, 1, '127.0.0.1')
  logger.flush()
  out.writableLength = MAX_PENDING_OUTPUT + 1
  for (let i = 0; i < 3; i++) logger.access('GET', `/lost-${i}`, 200, 1, '127.0.0.1')
  logger.flush()
  logger.error('also lost')
  logger.flush()
  assert.equal(written.length, 1, 'nothing more is queued while the reader is behind')
  out.writableLength = 0
  logger.access('GET', '/after', 200, 1, '127.0.0.1')
  logger.flush()
  assert.equal(written.length, 3)
  assert.match(
    written[1] ?? '',
    /\[GW\] ▶ ERROR {3}dropped 4 log lines: the output \(stdout\) was not read fast enough\n$/,
  )
  assert.match(written[2] ?? '', /GET "\/after"/)
  assert.doesNotMatch(written.join(''), /lost/)
})

test('the dropped-lines line is JSON in the json format', () => {
  const written: string[] = []
  const out = { writableLength: MAX_PENDING_OUTPUT + 1, write: (chunk: string) => written.push(chunk) }
  const logger = createLogger({ level: 'INFO', format: 'json', prefix: '[GW]', accessLog: true, out })
  logger.info('lost')
  logger.flush()
  out.writableLength = 0
  logger.info('kept')
  logger.flush()
  const [notice, kept] = written.map((chunk) => JSON.parse(chunk) as { level: string; msg: string })
  assert.equal(notice?.level, 'ERROR')
  assert.match(notice?.msg ?? '', /^dropped 1 log lines/)
  assert.equal(kept?.msg, 'kept')
})
