/**
 * provider.aws.subnets and securityGroups, checked before anything is created: a subnet or group
 * that does not exist, or lies in another VPC than the target groups, would otherwise fail
 * RunInstances after the target group, the listener rules and a record were made (exit 6).
 * Describe calls only (ec2:DescribeSubnets / DescribeSecurityGroups, in the IAM policy).
 */
import { configError, type Problem } from '../../core/errors.ts'
import { call } from './clients.ts'
import type { AwsContext } from './context.ts'

export async function checkNetwork(aws: AwsContext): Promise<void> {
  const { ec2, ec2Sdk } = await aws.clients()
  const { subnets, securityGroups } = aws.settings.aws
  const vpcId = aws.settings.aws.vpcId ?? (await aws.liveListener()).vpcId
  const [foundSubnets, foundGroups] = await Promise.all([
    call('DescribeSubnets', () =>
      ec2.send(new ec2Sdk.DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: subnets }] })),
    ),
    securityGroups.length
      ? call('DescribeSecurityGroups', () =>
          ec2.send(
            new ec2Sdk.DescribeSecurityGroupsCommand({
              Filters: [{ Name: 'group-id', Values: securityGroups }],
            }),
          ),
        )
      : Promise.resolve({ SecurityGroups: [] }),
  ])
  const subnetVpc = new Map((foundSubnets.Subnets ?? []).map((s) => [s.SubnetId, s.VpcId]))
  const groupVpc = new Map((foundGroups.SecurityGroups ?? []).map((g) => [g.GroupId, g.VpcId]))
  const problems: Problem[] = []
  const check = (
    key: string,
    kind: string,
    ids: string[],
    vpcs: Map<string | undefined, string | undefined>,
  ) =>
    ids.forEach((id, i) => {
      const location = { file: 'gwdeploy.yml', path: `provider.aws.${key}[${i}]` }
      if (!vpcs.has(id)) problems.push({ message: `${kind} ${id} does not exist in this region`, location })
      else if (vpcId && vpcs.get(id) !== vpcId)
        problems.push({
          message: `${kind} ${id} is in ${vpcs.get(id)}, but the target groups are in ${vpcId} (${aws.settings.aws.vpcId ? 'provider.aws.vpcId' : "the load balancer's VPC"})`,
          location,
        })
    })
  check('subnets', 'subnet', subnets, subnetVpc)
  check('securityGroups', 'security group', securityGroups, groupVpc)
  if (!problems.length) return
  const [first] = problems as [Problem]
  throw configError(
    problems.length === 1
      ? first.message
      : `${problems.length} subnets / security groups cannot hold the instances`,
    {
      ...(problems.length === 1 ? { location: first.location } : { problems }),
      hint: `Give subnets and security groups of ${vpcId || 'the load balancer VPC'} in provider.aws (aws ec2 describe-subnets --filters Name=vpc-id,Values=${vpcId}). Nothing was created.`,
    },
  )
}
