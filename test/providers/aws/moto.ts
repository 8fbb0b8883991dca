/**
 * AWS test fixtures in moto_server with the real SDK: one VPC, two subnets, a security group,
 * an ALB with a live listener and a test listener per call (unique names, so test files can
 * run concurrently without resetting moto), plus a gwdeploy project using them.
 */
import { randomBytes } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as ec2m from '@aws-sdk/client-ec2'
import * as elbm from '@aws-sdk/client-elastic-load-balancing-v2'
import { stringify } from 'yaml'
import { GATEWAY_CONFIG, makeProject, type Project, type ProjectOptions } from '../../core/helpers/project.ts'
import { requireBaseImage, requireMoto, requireRegistry } from '../../helpers/services.ts'

export const AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
}
/** An AMI id moto knows. */
export const AMI = 'ami-12c6146b'

export async function motoClients() {
  const moto = await requireMoto()
  const config = { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials }
  return {
    ec2: new ec2m.EC2Client(config),
    elb: new elbm.ElasticLoadBalancingV2Client(config),
    endpoint: moto.endpoint,
  }
}

export interface AwsFixture {
  id: string
  vpcId: string
  subnets: string[]
  securityGroup: string
  loadBalancerArn: string
  loadBalancerName: string
  listenerArn: string
  testListenerArn: string
}

export async function createAlb(): Promise<AwsFixture> {
  const { ec2, elb } = await motoClients()
  const id = randomBytes(4).toString('hex')
  const vpc = await ec2.send(new ec2m.CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))
  const vpcId = vpc.Vpc?.VpcId as string
  const subnets: string[] = []
  for (const [i, zone] of ['us-east-1a', 'us-east-1b'].entries()) {
    const subnet = await ec2.send(
      new ec2m.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i + 1}.0/24`, AvailabilityZone: zone }),
    )
    subnets.push(subnet.Subnet?.SubnetId as string)
  }
  const sg = await ec2.send(
    new ec2m.CreateSecurityGroupCommand({ GroupName: `gw-${id}`, Description: 'gateway', VpcId: vpcId }),
  )
  const name = `gw-${id}`
  const lb = await elb.send(
    new elbm.CreateLoadBalancerCommand({
      Name: name,
      Subnets: subnets,
      SecurityGroups: [sg.GroupId as string],
    }),
  )
  const loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn as string
  const listener = async (port: number) =>
    (
      await elb.send(
        new elbm.CreateListenerCommand({
          LoadBalancerArn: loadBalancerArn,
          Port: port,
          Protocol: 'HTTP',
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
        }),
      )
    ).Listeners?.[0]?.ListenerArn as string
  return {
    id,
    vpcId,
    subnets,
    securityGroup: sg.GroupId as string,
    loadBalancerArn,
    loadBalancerName: name,
    listenerArn: await listener(80),
    testListenerArn: await listener(8443),
  }
}

export interface AwsProjectOptions extends ProjectOptions {
  /** Overrides/extends provider.aws. */
  aws?: Record<string, unknown>
  expectName?: boolean
  /** Extends gateway / fleet (e.g. flexibleConfig, env). */
  gateway?: Record<string, unknown>
  fleet?: Record<string, unknown>
}

export interface AwsProject extends Omit<Project, 'writeConfig'> {
  fixture: AwsFixture
  repository: string
  writeConfig(options: AwsProjectOptions): Promise<void>
}

/** A gwdeploy project on provider aws (moto); `aws` overrides/extends provider.aws. */
export async function makeAwsProject(options: AwsProjectOptions = {}): Promise<AwsProject> {
  const moto = await requireMoto()
  const registry = await requireRegistry()
  const base = await requireBaseImage()
  const fixture = await createAlb()
  const project = (await makeProject()) as AwsProject
  const service = `aws-${fixture.id}`
  project.fixture = fixture
  project.repository = `${registry.host}/gwdeploy-test/${service}`
  project.writeConfig = async (opts: AwsProjectOptions) => {
    const config = {
      service,
      gateway: { config: 'gateway.json', ...opts.gateway },
      image: { repository: project.repository, base },
      fleet: { size: opts.size ?? 2, port: 8080, ...opts.fleet },
      health: {
        interval: '100ms',
        timeout: '2s',
        rise: 1,
        deadline: '30s',
        expectName: opts.expectName ?? false,
        ...opts.health,
      },
      smoke: opts.smoke ?? [],
      shift: { keep: '30m', ...opts.shift },
      lock: { ttl: opts.lockTtl ?? '10m' },
      provider: {
        kind: 'aws',
        aws: {
          region: moto.region,
          endpoint: moto.endpoint,
          listenerArn: fixture.listenerArn,
          subnets: fixture.subnets,
          securityGroups: [fixture.securityGroup],
          ami: AMI,
          instanceType: 't3.small',
          maxAttempts: 3,
          targetGroup: { deregistrationDelay: '0s' },
          ...opts.aws,
        },
      },
    }
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
  }
  const run = project.run.bind(project)
  project.run = (args, env) => run(args, { ...AWS_ENV, ...env })
  project.cleanup = async () => {
    await run(['destroy', '--force', '--lock-wait=30s'], AWS_ENV)
    await rm(project.dir, { recursive: true, force: true })
  }
  await writeFile(join(project.dir, 'gateway.json'), `${JSON.stringify(GATEWAY_CONFIG, null, 2)}\n`)
  await project.writeConfig(options)
  return project
}

/** The weights of the live listener's forward action, by target group name. */
export async function listenerWeights(
  listenerArn: string,
): Promise<Record<string, number> | 'fixed-response'> {
  const { elb } = await motoClients()
  const found = await elb.send(new elbm.DescribeListenersCommand({ ListenerArns: [listenerArn] }))
  const action = found.Listeners?.[0]?.DefaultActions?.[0]
  if (action?.Type !== 'forward') return 'fixed-response'
  const out: Record<string, number> = {}
  for (const group of action.ForwardConfig?.TargetGroups ?? []) {
    const name = /targetgroup\/([^/]+)\//.exec(group.TargetGroupArn ?? '')?.[1] ?? '?'
    out[name] = group.Weight ?? 0
  }
  return out
}

/** Non-terminated instances of a service, by colour tag. */
export async function instancesOf(service: string) {
  const { ec2 } = await motoClients()
  const found = await ec2.send(
    new ec2m.DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:gwdeploy:service', Values: [service] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    }),
  )
  return (found.Reservations ?? []).flatMap((r) =>
    (r.Instances ?? []).map((i) => ({
      id: i.InstanceId as string,
      state: i.State?.Name as string,
      colour: i.Tags?.find((t) => t.Key === 'gwdeploy:colour')?.Value as string,
      sha: i.Tags?.find((t) => t.Key === 'gwdeploy:sha')?.Value as string,
    })),
  )
}

export async function userDataOf(instanceId: string): Promise<string> {
  const { ec2 } = await motoClients()
  const attr = await ec2.send(
    new ec2m.DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'userData' }),
  )
  return Buffer.from(attr.UserData?.Value ?? '', 'base64').toString('utf8')
}

export async function targetGroupNames(prefix: string): Promise<string[]> {
  const { elb } = await motoClients()
  const found = await elb.send(new elbm.DescribeTargetGroupsCommand({}))
  return (found.TargetGroups ?? [])
    .map((g) => g.TargetGroupName as string)
    .filter((n) => n.startsWith(prefix))
    .sort()
}
