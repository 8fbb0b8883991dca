import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Cancellation } from '../../src/gateway/cancellation.ts'

test('listeners run once with the reason; removed ones and late aborts do not run them again', () => {
  const cancel = new Cancellation()
  const seen: string[] = []
  cancel.onAbort((r) => seen.push(`a:${r.message}`))
  const remove = cancel.onAbort((r) => seen.push(`b:${r.message}`))
  remove()
  cancel.abort(new Error('client gone'))
  cancel.abort(new Error('timeout'))
  assert.deepEqual(seen, ['a:client gone'])
  assert.equal(cancel.aborted, true)
  assert.equal(cancel.reason?.message, 'client gone')
  cancel.onAbort((r) => seen.push(`late:${r.message}`))
  assert.deepEqual(seen, ['a:client gone', 'late:client gone'])
})

test('a child ends with its parent, not the other way round; the signal follows', () => {
  const parent = new Cancellation()
  const first = parent.child()
  first.abort(new Error('answered'))
  assert.equal(parent.aborted, false)
  const second = parent.child()
  const signal = second.signal
  assert.equal(signal.aborted, false)
  parent.abort(new Error('timeout'))
  assert.equal(second.aborted, true)
  assert.equal(signal.aborted, true)
  assert.equal((signal.reason as Error).message, 'timeout')
  const made = new Cancellation()
  made.abort(new Error('gone'))
  assert.equal(made.signal.aborted, true)
})
