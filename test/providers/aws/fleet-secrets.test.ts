import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { arnRegion, awsReferences, ssmNames } from '../../../src/providers/aws/fleet-secrets.ts'

describe('aws fleet.env references: what is looked up before anything is created', () => {
  it('only ssm and secretsManager references, by variable name', () => {
    assert.deepEqual(
      awsReferences({
        PLAIN: 'x',
        B: { secretsManager: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:gw-AbCdEf', jsonKey: 'k' },
        A: { ssm: '/gw/a' },
      }),
      [
        { variable: 'A', kind: 'ssm', reference: '/gw/a' },
        {
          variable: 'B',
          kind: 'secretsManager',
          reference: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:gw-AbCdEf',
        },
      ],
    )
  })

  it('an SSM ARN is looked up by the names it can stand for', () => {
    assert.deepEqual(ssmNames('/gw/db-pass'), ['/gw/db-pass'])
    assert.deepEqual(ssmNames('plain-name'), ['plain-name'])
    assert.deepEqual(ssmNames('arn:aws:ssm:eu-west-1:123456789012:parameter/gw/db-pass'), ['/gw/db-pass'])
    assert.deepEqual(ssmNames('arn:aws:ssm:eu-west-1:123456789012:parameter/single'), ['single', '/single'])
  })

  it('the region of an ARN; none for a name', () => {
    assert.equal(arnRegion('arn:aws:ssm:eu-west-1:123456789012:parameter/gw/x'), 'eu-west-1')
    assert.equal(arnRegion('arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:gw'), 'cn-north-1')
    assert.equal(arnRegion('/gw/x'), undefined)
  })
})
