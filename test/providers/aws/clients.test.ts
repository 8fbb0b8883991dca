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

  it('throttling or a 5xx on every attempt names the attempts and says a re-run continues', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400, attempts: 5 },
    })
    await assert.rejects(
      failing(throttled),
      (e: { exitCode?: number; hint?: string }) =>
        e.exitCode === 6 &&
        /AWS throttled the call on 5 attempts \(provider\.aws\.maxAttempts\).*Re-run the command/.test(
          e.hint ?? '',
        ),
    )
    const unavailable = Object.assign(new Error('down'), {
      name: 'ServiceUnavailable',
      $metadata: { httpStatusCode: 503, attempts: 3 },
    })
    await assert.rejects(failing(unavailable), (e: { hint?: string }) =>
      /AWS failed the call \(HTTP 503\) on 3 attempts/.test(e.hint ?? ''),
    )
  })

  it('a request timeout says AWS did not answer within the timeout and names GWDEPLOY_AWS_API_TIMEOUT', async () => {
    const timedOut = Object.assign(
      new Error(
        '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 2000 ms requestTimeout.',
      ),
      { name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: { attempts: 2 } },
    )
    await assert.rejects(
      failing(timedOut),
      (e: { exitCode?: number; message: string; hint?: string }) =>
        e.exitCode === 6 &&
        e.message === 'aws: DescribeListeners: AWS did not answer within 2 s (2 attempts, each timed out)' &&
        /GWDEPLOY_AWS_API_TIMEOUT/.test(e.hint ?? ''),
    )
  })
})
