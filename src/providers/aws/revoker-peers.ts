/**
 * auth/revoker on aws: gwdeploy cannot reach the instances, so each new instance pulls the
 * revocations of the instances running when it is launched (the runtime's --revoker-peers, given
 * through user-data) and keeps pulling while they run. For that the new instances must reach the
 * peers' revoker port: checked against the peers' security groups before anything is created.
 */
import { configError } from '../../core/errors.ts'
import { call } from './clients.ts'
import type { AwsContext } from './context.ts'
import type { InstanceInfo } from './instances.ts'
import { TAG } from './names.ts'

/**
 * Instances whose revocations a new instance pulls: running (or starting) ones that run a revoker.
 * Those launched by a gwdeploy that did not tag the port are said: where their revoker listens is
 * not known.
 */
export function revokerPeers(instances: InstanceInfo[], progress: (message: string) => void): InstanceInfo[] {
  const live = instances.filter((i) => i.state === 'running' || i.state === 'pending')
  const untagged = live.filter((i) => !i.tags[TAG.revokerPort])
  if (untagged.length)
    progress(
      `auth/revoker: ${untagged.map((i) => i.id).join(', ')} predate(s) gwdeploy's ${TAG.revokerPort} tag; the new instances do not pull their revocations`,
    )
  return live.filter((i) => i.privateIp && i.tags[TAG.revokerPort])
}

/** The runtime's --revoker-peers value (user-data's {{revokerPeers}}). */
export const peerList = (peers: InstanceInfo[]): string =>
  peers.map((i) => `${i.privateIp}:${i.tags[TAG.revokerPort]}`).join(',')

interface Permission {
  IpProtocol?: string | undefined
  FromPort?: number | undefined
  ToPort?: number | undefined
  IpRanges?: Array<{ CidrIp?: string | undefined }> | undefined
  UserIdGroupPairs?: Array<{ GroupId?: string | undefined }> | undefined
}

const ipNumber = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0)

/** Whether `outer` holds all of `inner` (IPv4 CIDRs). */
export function cidrCovers(outer: string, inner: string): boolean {
  const [outerBase = '', outerBits = '32'] = outer.split('/')
  const [innerBase = '', innerBits = '32'] = inner.split('/')
  if (Number(innerBits) < Number(outerBits)) return false
  const size = 2 ** (32 - Number(outerBits))
  return Math.floor(ipNumber(innerBase) / size) === Math.floor(ipNumber(outerBase) / size)
}

/** Whether one ingress permission lets TCP `port` in from instances in `groups` and `subnets`. */
export function permits(permission: Permission, port: number, from: { groups: string[]; subnets: string[] }) {
  const protocol = permission.IpProtocol
  const portOk =
    protocol === '-1' ||
    ((protocol === 'tcp' || protocol === '6') &&
      (permission.FromPort ?? 0) <= port &&
      port <= (permission.ToPort ?? 65535))
  if (!portOk) return false
  if ((permission.UserIdGroupPairs ?? []).some((pair) => pair.GroupId && from.groups.includes(pair.GroupId)))
    return true
  const ranges = (permission.IpRanges ?? []).flatMap((r) => (r.CidrIp ? [r.CidrIp] : []))
  return from.subnets.length > 0 && from.subnets.every((subnet) => ranges.some((r) => cidrCovers(r, subnet)))
}

/**
 * Refuses (exit 2) a release whose new instances and the running ones could not reach each other's
 * revoker port: the new nodes would wait for revocations that never come, and the running ones could
 * not pull back what the new ones take (a rollback would let those tokens through again). The new
 * instances get provider.aws.securityGroups (the VPC's default group when none) in provider.aws.subnets.
 */
export async function checkPeerIngress(
  aws: AwsContext,
  peers: InstanceInfo[],
  ownPort: number,
): Promise<void> {
  if (peers.length === 0) return
  const { ec2, ec2Sdk } = await aws.clients()
  const { subnets: subnetIds, securityGroups } = aws.settings.aws
  const subnets = await call('DescribeSubnets', () =>
    ec2.send(new ec2Sdk.DescribeSubnetsCommand({ SubnetIds: subnetIds })),
  )
  const cidrs = (subnets.Subnets ?? []).flatMap((s) => (s.CidrBlock ? [s.CidrBlock] : []))
  const vpcId = subnets.Subnets?.[0]?.VpcId
  let groups = securityGroups
  if (groups.length === 0) {
    const defaults = await call('DescribeSecurityGroups (the VPC default group)', () =>
      ec2.send(
        new ec2Sdk.DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId ?? ''] },
            { Name: 'group-name', Values: ['default'] },
          ],
        }),
      ),
    )
    groups = (defaults.SecurityGroups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : []))
  }
  const described = await call('DescribeSecurityGroups', () =>
    ec2.send(
      new ec2Sdk.DescribeSecurityGroupsCommand({
        GroupIds: [...new Set([...groups, ...peers.flatMap((p) => p.securityGroups)])],
      }),
    ),
  )
  const rules = new Map(
    (described.SecurityGroups ?? []).map((g) => [g.GroupId ?? '', (g.IpPermissions ?? []) as Permission[]]),
  )
  const letsIn = (into: string[], port: number, from: { groups: string[]; subnets: string[] }) =>
    into.some((g) => (rules.get(g) ?? []).some((p) => permits(p, port, from)))
  const newInstances = { groups, subnets: cidrs }
  for (const peer of peers) {
    const port = Number(peer.tags[TAG.revokerPort])
    const peerFrom = { groups: peer.securityGroups, subnets: peer.privateIp ? [`${peer.privateIp}/32`] : [] }
    const [into, from, toPort, what] = !letsIn(peer.securityGroups, port, newInstances)
      ? [peer.securityGroups, groups, port, 'they would wait for its revocations and never serve']
      : !letsIn(groups, ownPort, peerFrom)
        ? [
            groups,
            peer.securityGroups,
            ownPort,
            'it could not pull back what they take, and a rollback would let those tokens through',
          ]
        : []
    if (!into || !from) continue
    throw configError(
      `the new instances and ${peer.id} (${peer.privateIp}) could not reach each other's auth/revoker: the groups ${into.join(', ') || '(none)'} let no TCP ${toPort} in from ${from.join(', ') || '(none)'}; ${what}`,
      {
        location: { path: 'provider.aws.securityGroups' },
        hint: `Let the gateway instances reach each other's revoker port, e.g. \`aws ec2 authorize-security-group-ingress --group-id ${into[0] ?? 'sg-…'} --protocol tcp --port ${toPort} --source-group ${from[0] ?? 'sg-…'}\`, then release again.`,
        details: { instance: peer.id },
      },
    )
  }
}
