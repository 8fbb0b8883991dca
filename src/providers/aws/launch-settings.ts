/**
 * provider.aws.ami, keyName and instanceType, checked before anything is created: one AWS does not
 * know fails RunInstances only after the target group, its listener rule and a record were made
 * (exit 6 `InvalidAMIID.NotFound`, naming no setting, green torn down again). Describe calls only
 * (ec2:DescribeImages / DescribeKeyPairs / DescribeInstanceTypes, in templates/aws/iam-policy.json);
 * a caller whose policy lacks one is not refused for it: RunInstances still says what is wrong.
 */
import type { _InstanceType } from '@aws-sdk/client-ec2'
import { configError, type Problem } from '../../core/errors.ts'
import { awsErrorName, call } from './clients.ts'
import type { AwsContext } from './context.ts'

/** A Describe answer an unknown or malformed id gets, per setting (moto and AWS answer these). */
const NOT_FOUND: Record<'ami' | 'keyName' | 'instanceType', RegExp> = {
  ami: /^InvalidAMIID\./,
  keyName: /^InvalidKeyPair\./,
  instanceType: /^InvalidInstanceType$/,
}

export async function checkLaunchSettings(aws: AwsContext): Promise<void> {
  const { ec2, ec2Sdk } = await aws.clients()
  const { ami, keyName, instanceType } = aws.settings.aws
  const checks: Array<{ key: keyof typeof NOT_FOUND; what: string; describe: () => Promise<number> }> = [
    {
      key: 'ami',
      what: `AMI ${ami}`,
      describe: async () =>
        (await ec2.send(new ec2Sdk.DescribeImagesCommand({ ImageIds: [ami] }))).Images?.length ?? 0,
    },
    {
      key: 'instanceType',
      what: `instance type ${instanceType}`,
      describe: async () =>
        (
          await ec2.send(
            new ec2Sdk.DescribeInstanceTypesCommand({
              InstanceTypes: [instanceType as _InstanceType],
            }),
          )
        ).InstanceTypes?.length ?? 0,
    },
    ...(keyName
      ? [
          {
            key: 'keyName' as const,
            what: `key pair ${keyName}`,
            describe: async () =>
              (await ec2.send(new ec2Sdk.DescribeKeyPairsCommand({ KeyNames: [keyName] }))).KeyPairs
                ?.length ?? 0,
          },
        ]
      : []),
  ]
  const problems: Problem[] = []
  for (const { key, what, describe } of checks) {
    const found = await call(`Describe ${what}`, () =>
      describe().catch((error: unknown) => {
        const name = awsErrorName(error)
        if (NOT_FOUND[key].test(name)) return 0
        if (/AccessDenied|UnauthorizedOperation/.test(name)) return 1
        throw error
      }),
    )
    if (found === 0)
      problems.push({
        message: `${what} does not exist in ${aws.settings.region ?? 'this region'}`,
        location: { file: 'gwdeploy.yml', path: `provider.aws.${key}` },
      })
  }
  if (!problems.length) return
  const [first] = problems as [Problem]
  throw configError(
    problems.length === 1 ? first.message : `${problems.length} launch settings AWS does not know`,
    {
      ...(problems.length === 1 ? { location: first.location } : { problems }),
      hint: 'Instances could not be launched with it (RunInstances would refuse it). Give one of this region: `aws ec2 describe-images --owners amazon`, `aws ec2 describe-key-pairs`, `aws ec2 describe-instance-type-offerings`. Nothing was created.',
    },
  )
}
