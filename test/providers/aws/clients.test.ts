/** call(): SDK failures become exit 6 with a hint that says where to look. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { call } from '../../../src/providers/aws/clients.ts'

const failing = (error: unknown) => call('DescribeListeners', () => Promise.reject(error))

describe('aws call(): the hint of a failure', () => {
  it('an endpoint nothing listens on, or something that is no AWS API, says to check endpoint, region and network', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED' })
    const foreign = Object.assign(new Error('Unknown'), {
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    })
    for (const error of [refused, foreign])
      await assert.rejects(
        failing(error),
        (e: { exitCode?: number; message: string; hint?: string }) =>
          e.exitCode === 6 &&
          /DescribeListeners failed/.test(e.message) &&
          /provider\.aws\.endpoint .*provider\.aws\.region/.test(e.hint ?? ''),
      )
  })

  it('a denied call points at the IAM policy; expired credentials at the credential chain', async () => {
    await assert.rejects(
      failing(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' })),
      (e: { hint?: string }) => /templates\/aws\/iam-policy\.json/.test(e.hint ?? ''),
    )
    await assert.rejects(
      failing(
        Object.assign(new Error('The security token included in the request is expired'), {
          name: 'ExpiredToken',
        }),
      ),
      (e: { hint?: string }) => /standard chain/.test(e.hint ?? ''),
    )
  })
})
