/**
 * The `aws` provider: EC2 instances (user-data runs the release image by digest) in one target
 * group per colour, behind an ALB listener whose default action is a weighted forward between
 * the two groups. Everything is rebuilt from AWS on every call: target-group tags are the fleet
 * records, instance tags name the nodes, the listener holds the weights, a listener rule the lock.
 * Request inputs are built by requests.ts (pure); this file only sends them.
 */

import { configError, providerError } from '../../core/errors.ts'
import { sleep } from '../../health/gate.ts'
import {
  COLOURS,
  type Colour,
  type Fleet,
  type FleetNode,
  type FleetSpec,
  type Lock,
  type NodeHealth,
  type OperationOptions,
  type ProbeTarget,
  type Provider,
  type ProviderCapabilities,
  type ProviderContext,
  type RenderedDocument,
  type TargetState,
  type Weights,
} from '../types.ts'
import { type AwsClients, call, createClients, isAwsError } from './clients.ts'
import { ListenerRuleLock } from './lock.ts'
import { fromTags, TAG, toTags } from './names.ts'
import {
  attachRuleInput,
  createTargetGroupInput,
  fleetTags,
  forwardedGroups,
  isNotServing,
  type ListenerAction,
  listenerActions,
  ORIGINAL_ACTION_ROLE,
  originalActionRuleInput,
  planLaunches,
  previewActions,
  runInstancesInput,
  type Stickiness,
  targetGroupAttributesInput,
} from './requests.ts'
import { type AwsSettings, resolveSettings } from './settings.ts'
import { renderUserData, userDataValues } from './user-data.ts'

interface ListenerInfo {
  arn: string
  port: number
  protocol: string
  dnsName: string
  vpcId: string
}

interface TargetGroupInfo {
  arn: string
  tags: Record<string, string>
}

interface InstanceInfo {
  id: string
  state: string
  subnet: string
  privateIp?: string | undefined
  launchTime?: Date | undefined
  tags: Record<string, string>
  stateReason?: string | undefined
}

/** Instances that count as part of a fleet (terminating ones are already gone). */
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped']

export class AwsProvider implements Provider {
  readonly id = 'aws' as const
  readonly capabilities: ProviderCapabilities
  readonly settings: AwsSettings
  #clients: Promise<AwsClients> | undefined
  #listener: Promise<ListenerInfo> | undefined
  #testListener: Promise<ListenerInfo | undefined> | undefined
  #lock: ListenerRuleLock | undefined
  /** Listeners whose original default action this process has already recorded (or found ours). */
  readonly #recorded = new Set<string>()

  constructor(settings: AwsSettings) {
    this.settings = settings
    const { aws } = settings
    this.capabilities = {
      weights: true,
      // A CI runner cannot reach instances: the gate is ALB target health + the test listener.
      directProbe: false,
      preview: Boolean(aws.testListenerArn || aws.testListenerPort),
      image: true,
      traffic: false,
    }
  }

  clients(): Promise<AwsClients> {
    this.#clients ??= createClients(this.settings)
    return this.#clients
  }

  async #describeListener(
    arn: string | undefined,
    port: number | undefined,
    what: string,
  ): Promise<ListenerInfo> {
    const { elb, elbSdk } = await this.clients()
    const { aws } = this.settings
    let listener:
      | { ListenerArn?: string; Port?: number; Protocol?: string; LoadBalancerArn?: string }
      | undefined
    if (arn) {
      const found = await call(`DescribeListeners (${what})`, () =>
        elb.send(new elbSdk.DescribeListenersCommand({ ListenerArns: [arn] })),
      ).catch((error) => {
        if (isAwsError(error.cause, 'ListenerNotFound'))
          throw configError(`the ${what} ${arn} does not exist`, {
            location: {
              path: what === 'live listener' ? 'provider.aws.listenerArn' : 'provider.aws.testListenerArn',
            },
          })
        throw error
      })
      listener = found.Listeners?.[0]
    } else {
      const lb = await this.#loadBalancerByName()
      const all = await call(`DescribeListeners (${what})`, () =>
        elb.send(new elbSdk.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })),
      )
      listener = all.Listeners?.find((l) => l.Port === port)
      if (!listener)
        throw configError(`load balancer ${aws.loadBalancerName} has no listener on port ${port}`, {
          location: {
            path: what === 'live listener' ? 'provider.aws.listenerPort' : 'provider.aws.testListenerPort',
          },
          hint: 'Create the listener first (any default action); gwdeploy only changes its default action.',
        })
    }
    if (!listener?.ListenerArn || !listener.LoadBalancerArn) throw providerError(`aws: ${what} not found`)
    const lbs = await call('DescribeLoadBalancers', () =>
      elb.send(
        new elbSdk.DescribeLoadBalancersCommand({ LoadBalancerArns: [listener.LoadBalancerArn as string] }),
      ),
    )
    const lb = lbs.LoadBalancers?.[0]
    return {
      arn: listener.ListenerArn,
      port: listener.Port ?? 0,
      protocol: listener.Protocol ?? 'HTTP',
      dnsName: lb?.DNSName ?? '',
      vpcId: lb?.VpcId ?? '',
    }
  }

  async #loadBalancerByName() {
    const { elb, elbSdk } = await this.clients()
    const name = this.settings.aws.loadBalancerName as string
    const found = await call('DescribeLoadBalancers', () =>
      elb.send(new elbSdk.DescribeLoadBalancersCommand({ Names: [name] })),
    ).catch((error) => {
      if (isAwsError(error.cause, 'LoadBalancerNotFound'))
        throw configError(`load balancer ${name} does not exist`, {
          location: { path: 'provider.aws.loadBalancerName' },
        })
      throw error
    })
    const lb = found.LoadBalancers?.[0]
    if (!lb?.LoadBalancerArn) throw providerError(`aws: load balancer ${name} not found`)
    return lb
  }

  liveListener(): Promise<ListenerInfo> {
    const { aws } = this.settings
    this.#listener ??= this.#describeListener(aws.listenerArn, aws.listenerPort, 'live listener')
    this.#listener.catch(() => {
      this.#listener = undefined
    })
    return this.#listener
  }

  testListener(): Promise<ListenerInfo | undefined> {
    const { aws } = this.settings
    if (!aws.testListenerArn && !aws.testListenerPort) return Promise.resolve(undefined)
    this.#testListener ??= this.#describeListener(aws.testListenerArn, aws.testListenerPort, 'test listener')
    this.#testListener.catch(() => {
      this.#testListener = undefined
    })
    return this.#testListener
  }

  #previewUrl(test: ListenerInfo): URL {
    if (this.settings.aws.testListenerUrl) return new URL(this.settings.aws.testListenerUrl)
    const scheme = test.protocol === 'HTTPS' ? 'https' : 'http'
    return new URL(`${scheme}://${test.dnsName}:${test.port}`)
  }

  async #targetGroup(colour: Colour): Promise<TargetGroupInfo | undefined> {
    const { elb, elbSdk } = await this.clients()
    const name = this.settings.targetGroupName(colour)
    let arn: string | undefined
    try {
      const found = await elb.send(new elbSdk.DescribeTargetGroupsCommand({ Names: [name] }))
      arn = found.TargetGroups?.[0]?.TargetGroupArn
    } catch (error) {
      if (isAwsError(error, 'TargetGroupNotFound')) return undefined
      return call(`DescribeTargetGroups ${name}`, () => Promise.reject(error))
    }
    if (!arn) return undefined
    const described = await call(`DescribeTags ${name}`, () =>
      elb.send(new elbSdk.DescribeTagsCommand({ ResourceArns: [arn as string] })),
    )
    const tags = fromTags(described.TagDescriptions?.[0]?.Tags)
    if (tags[TAG.target] !== this.settings.key) {
      throw providerError(
        `aws: target group ${name} exists but gwdeploy did not create it for ${this.settings.key}`,
        {
          hint: 'Rename or delete that target group; gwdeploy names its groups <service>[-<env>]-<colour>.',
        },
      )
    }
    return { arn, tags }
  }

  async #targetGroups(): Promise<Partial<Record<Colour, TargetGroupInfo>>> {
    const [blue, green] = await Promise.all(COLOURS.map((c) => this.#targetGroup(c)))
    return { ...(blue ? { blue } : {}), ...(green ? { green } : {}) }
  }

  async #instances(filter: { colour?: Colour; ids?: string[] }): Promise<InstanceInfo[]> {
    const { ec2, ec2Sdk } = await this.clients()
    if (filter.ids && filter.ids.length === 0) return []
    const out: InstanceInfo[] = []
    let token: string | undefined
    do {
      const page = await call('DescribeInstances', () =>
        ec2.send(
          new ec2Sdk.DescribeInstancesCommand({
            ...(filter.ids
              ? { InstanceIds: filter.ids }
              : {
                  Filters: [
                    { Name: `tag:${TAG.target}`, Values: [this.settings.key] },
                    ...(filter.colour ? [{ Name: `tag:${TAG.colour}`, Values: [filter.colour] }] : []),
                    { Name: 'instance-state-name', Values: LIVE_STATES },
                  ],
                }),
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      )
      for (const reservation of page.Reservations ?? [])
        for (const i of reservation.Instances ?? [])
          if (i.InstanceId)
            out.push({
              id: i.InstanceId,
              state: i.State?.Name ?? 'unknown',
              subnet: i.SubnetId ?? '',
              privateIp: i.PrivateIpAddress,
              launchTime: i.LaunchTime,
              tags: fromTags(i.Tags),
              stateReason: i.StateReason?.Message,
            })
      token = page.NextToken
    } while (token)
    return out.sort((a, b) => a.id.localeCompare(b.id))
  }

  /** DescribeInstances by id, riding out InvalidInstanceID.NotFound right after RunInstances. */
  async #instancesById(ids: string[], patienceMs: number): Promise<InstanceInfo[]> {
    const deadline = Date.now() + patienceMs
    for (;;) {
      try {
        return await this.#instances({ ids })
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause
        if (!isAwsError(cause, 'InvalidInstanceID.NotFound') || Date.now() >= deadline) throw error
        await sleep(1_000)
      }
    }
  }

  #toNode(instance: InstanceInfo, colour: Colour): FleetNode {
    return {
      id: instance.id,
      colour,
      ...(instance.privateIp ? { address: `${instance.privateIp}` } : {}),
      ...(instance.launchTime ? { startedAt: instance.launchTime.toISOString() } : {}),
      meta: { state: instance.state, subnet: instance.subnet },
    }
  }

  #toFleet(colour: Colour, group: TargetGroupInfo, instances: InstanceInfo[]): Fleet | undefined {
    const tags = group.tags
    if (!tags[TAG.sha]) return undefined
    return {
      colour,
      sha: tags[TAG.sha] as string,
      configName: tags[TAG.configName] ?? '',
      configDigest: tags[TAG.configDigest] ?? '',
      ...(tags[TAG.image] ? { image: tags[TAG.image] } : {}),
      nodes: instances.map((i) => this.#toNode(i, colour)),
      ...(tags[TAG.createdAt] ? { createdAt: tags[TAG.createdAt] } : {}),
      ...(tags[TAG.keepUntil] ? { keepUntil: tags[TAG.keepUntil] } : {}),
    }
  }

  async #listenerForward(listenerArn: string) {
    const { elb, elbSdk } = await this.clients()
    const found = await call('DescribeListeners', () =>
      elb.send(new elbSdk.DescribeListenersCommand({ ListenerArns: [listenerArn] })),
    )
    const action = found.Listeners?.[0]?.DefaultActions?.find((a) => a.Type === 'forward')
    const groups =
      action?.ForwardConfig?.TargetGroups ??
      (action?.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }] : [])
    const stickiness = action?.ForwardConfig?.TargetGroupStickinessConfig
    return {
      groups: groups.map((g) => ({ arn: g.TargetGroupArn ?? '', weight: g.Weight ?? 1 })),
      stickiness: {
        Enabled: stickiness?.Enabled ?? false,
        ...(stickiness?.Enabled && stickiness.DurationSeconds
          ? { DurationSeconds: stickiness.DurationSeconds }
          : {}),
      } as Stickiness,
    }
  }

  /** The listener's weights per colour as percentages (the ALB weights are relative). */
  async #weights(groups: Partial<Record<Colour, TargetGroupInfo>>): Promise<Weights> {
    return (await this.#split(groups)).weights
  }

  /**
   * The live forward split into gwdeploy's colours (percentages between the two, as the contract
   * wants) and any other target group someone added by hand (its real share of all traffic).
   */
  async #split(groups: Partial<Record<Colour, TargetGroupInfo>>) {
    const live = await this.liveListener()
    const forward = await this.#listenerForward(live.arn)
    const raw: Weights = { blue: 0, green: 0 }
    for (const colour of COLOURS) {
      const arn = groups[colour]?.arn
      raw[colour] = forward.groups.find((g) => g.arn === arn)?.weight ?? 0
    }
    const sum = raw.blue + raw.green
    const total = forward.groups.reduce((all, g) => all + g.weight, 0)
    const foreign =
      sum === 0
        ? []
        : forward.groups
            .filter((g) => g.weight > 0 && g.arn !== groups.blue?.arn && g.arn !== groups.green?.arn)
            .map((g) => ({
              name: /targetgroup\/([^/]+)\//.exec(g.arn)?.[1] ?? g.arn,
              percent: Math.round((g.weight * 100) / total),
            }))
    if (sum === 0) return { weights: raw, foreign }
    const blue = Math.round((raw.blue * 100) / sum)
    return { weights: { blue, green: 100 - blue }, foreign }
  }

  async inspect(): Promise<TargetState> {
    const [live, test, groups, instances] = await Promise.all([
      this.liveListener(),
      this.testListener(),
      this.#targetGroups(),
      this.#instances({}),
    ])
    const fleets: TargetState['fleets'] = {}
    for (const colour of COLOURS) {
      const group = groups[colour]
      if (!group) continue
      const fleet = this.#toFleet(
        colour,
        group,
        instances.filter((i) => i.tags[TAG.colour] === colour),
      )
      if (fleet) fleets[colour] = fleet
    }
    const scheme = live.protocol === 'HTTPS' ? 'https' : 'http'
    const split = await this.#split(groups)
    return {
      provider: 'aws',
      service: this.settings.service,
      fleets,
      weights: split.weights,
      router: {
        present: true,
        endpoint: `${scheme}://${live.dnsName}:${live.port}`,
        ...(test ? { preview: this.#previewUrl(test).origin } : {}),
        detail: [
          `ALB listener ${live.arn}`,
          ...split.foreign.map(
            (g) =>
              `it also forwards ${g.percent}% of all traffic to ${g.name}, added by hand (blue/green percentages are of the rest; the next shift removes it)`,
          ),
        ].join('; '),
      },
      lock: await this.lock().status(),
    }
  }

  async #ensureTargetGroup(spec: FleetSpec, progress: (m: string) => void): Promise<TargetGroupInfo> {
    const { elb, elbSdk } = await this.clients()
    const existing = await this.#targetGroup(spec.colour)
    const createdAt = existing?.tags[TAG.createdAt] ?? new Date().toISOString()
    const tags = fleetTags(this.settings, spec, createdAt)
    let arn: string
    if (existing) {
      const sha = existing.tags[TAG.sha]
      if (
        sha &&
        (sha !== spec.artifact.sha || existing.tags[TAG.configDigest] !== spec.artifact.configDigest)
      ) {
        throw providerError(
          `aws: ${spec.colour} runs ${sha.slice(0, 7)}; decommission it before provisioning ${spec.artifact.sha7}`,
        )
      }
      arn = existing.arn
      progress(`reusing target group ${this.settings.targetGroupName(spec.colour)}`)
      await call('AddTags (target group)', () =>
        elb.send(new elbSdk.AddTagsCommand({ ResourceArns: [existing.arn], Tags: tags })),
      )
    } else {
      const live = await this.liveListener()
      const vpcId = this.settings.aws.vpcId ?? live.vpcId
      progress(`creating target group ${this.settings.targetGroupName(spec.colour)}`)
      // AWS returns the existing group for an identical CreateTargetGroup; moto raises
      // DuplicateTargetGroupName instead (a concurrent create), so that is read back too.
      const created = await elb
        .send(new elbSdk.CreateTargetGroupCommand(createTargetGroupInput(this.settings, spec, vpcId, tags)))
        .catch(async (error) => {
          if (isAwsError(error, 'DuplicateTargetGroupName')) return undefined
          return call('CreateTargetGroup', () => Promise.reject(error))
        })
      const createdArn =
        created?.TargetGroups?.[0]?.TargetGroupArn ?? (await this.#targetGroup(spec.colour))?.arn
      if (!createdArn) throw providerError('aws: CreateTargetGroup returned no target group')
      arn = createdArn
    }
    const groupArn = arn
    await call('ModifyTargetGroupAttributes', () =>
      elb.send(
        new elbSdk.ModifyTargetGroupAttributesCommand(targetGroupAttributesInput(this.settings, groupArn)),
      ),
    )
    await this.#ensureAttachRule(spec.colour, groupArn)
    return { arn: groupArn, tags: fromTags(tags) }
  }

  async #rules(listenerArn: string) {
    const { elb, elbSdk } = await this.clients()
    const rules = []
    let marker: string | undefined
    do {
      const page = await call('DescribeRules', () =>
        elb.send(
          new elbSdk.DescribeRulesCommand({
            ListenerArn: listenerArn,
            ...(marker ? { Marker: marker } : {}),
          }),
        ),
      )
      rules.push(...(page.Rules ?? []))
      marker = page.NextMarker
    } while (marker)
    return rules
  }

  async #attachRule(colour: Colour) {
    const live = await this.liveListener()
    const priority = String(this.settings.attachPriority(colour))
    return (await this.#rules(live.arn)).find((r) => r.Priority === priority)
  }

  async #ensureAttachRule(colour: Colour, tgArn: string): Promise<void> {
    const { elb, elbSdk } = await this.clients()
    const rule = await this.#attachRule(colour)
    const forwards = (r: NonNullable<typeof rule>) =>
      r.Actions?.some(
        (a) =>
          a.TargetGroupArn === tgArn ||
          a.ForwardConfig?.TargetGroups?.some((g) => g.TargetGroupArn === tgArn),
      )
    if (rule && forwards(rule)) return
    if (rule?.RuleArn) await this.#deleteRule(rule.RuleArn) // points at a deleted group of this colour
    const live = await this.liveListener()
    await call('CreateRule (attach target group)', () =>
      elb.send(new elbSdk.CreateRuleCommand(attachRuleInput(this.settings, live.arn, colour, tgArn))),
    ).catch((error) => {
      if (isAwsError(error.cause, 'PriorityInUse'))
        throw providerError(`aws: listener rule priority ${this.settings.attachPriority(colour)} is taken`, {
          hint: 'gwdeploy reserves provider.aws.lockPriority and the three priorities below it; choose another lockPriority.',
        })
      throw error
    })
  }

  async #deleteRule(arn: string): Promise<void> {
    const { elb, elbSdk } = await this.clients()
    await elb.send(new elbSdk.DeleteRuleCommand({ RuleArn: arn })).catch((error) => {
      if (!isAwsError(error, 'RuleNotFound')) return call('DeleteRule', () => Promise.reject(error))
    })
  }

  async provision(spec: FleetSpec, options: OperationOptions = {}): Promise<Fleet> {
    const progress = options.progress ?? (() => {})
    const { ec2, ec2Sdk, elb, elbSdk } = await this.clients()
    // Rendered first: a template error must stop the release before anything is created.
    const userData = renderUserData(this.settings.userDataTemplate, userDataValues(this.settings, spec))
    // Also refuses, before anything is created, a listener another service/env already uses.
    await this.#recordOriginal((await this.liveListener()).arn, 'live listener')
    const group = await this.#ensureTargetGroup(spec, progress)
    // Find before launching: a crash after RunInstances must never launch the fleet twice
    // (AWS also dedupes by ClientToken; moto does not).
    const current = await this.#instances({ colour: spec.colour })
    const matches = (i: InstanceInfo) =>
      i.tags[TAG.sha] === spec.artifact.sha && i.tags[TAG.configDigest] === spec.artifact.configDigest
    const usable = current.filter((i) => matches(i) && (i.state === 'pending' || i.state === 'running'))
    const kept = usable.slice(0, spec.size)
    const unwanted = current.filter((i) => !kept.includes(i))
    if (unwanted.length) {
      progress(`terminating ${unwanted.length} stopped, surplus or stale instance(s)`)
      await this.#deregister(
        group.arn,
        unwanted.map((i) => i.id),
      )
      await call('TerminateInstances', () =>
        ec2.send(new ec2Sdk.TerminateInstancesCommand({ InstanceIds: unwanted.map((i) => i.id) })),
      )
    }
    const missing = spec.size - kept.length
    const launched: string[] = []
    if (missing > 0) {
      const bySubnet = new Map<string, number>()
      for (const i of kept) bySubnet.set(i.subnet, (bySubnet.get(i.subnet) ?? 0) + 1)
      const launches = planLaunches(
        this.settings.aws.subnets,
        bySubnet,
        missing,
        kept.map((i) => i.id),
      )
      progress(`launching ${missing} instance(s)${kept.length ? `, reusing ${kept.length}` : ''}`)
      const results = await Promise.all(
        launches.map((launch) =>
          call(`RunInstances in ${launch.subnet}`, () =>
            ec2.send(
              new ec2Sdk.RunInstancesCommand(runInstancesInput(this.settings, spec, launch, userData)),
            ),
          ),
        ),
      )
      for (const result of results)
        for (const i of result.Instances ?? []) if (i.InstanceId) launched.push(i.InstanceId)
    } else progress(`reusing ${kept.length} instance(s)`)
    const ids = [...kept.map((i) => i.id), ...launched]
    const running = await this.#waitRunning(ids, options)
    await call('RegisterTargets', () =>
      elb.send(
        new elbSdk.RegisterTargetsCommand({
          TargetGroupArn: group.arn,
          Targets: ids.map((Id) => ({ Id, Port: spec.port })),
        }),
      ),
    )
    progress(`${ids.length} instance(s) registered in ${this.settings.targetGroupName(spec.colour)}`)
    return this.#toFleet(spec.colour, group, running) as Fleet
  }

  async #waitRunning(ids: string[], options: OperationOptions): Promise<InstanceInfo[]> {
    const deadline = Date.now() + 10 * 60_000
    for (;;) {
      const instances = await this.#instancesById(ids, 60_000)
      const dead = instances.filter((i) => !['pending', 'running'].includes(i.state))
      if (dead.length)
        throw providerError(
          `aws: instance ${dead[0]?.id} is ${dead[0]?.state}${dead[0]?.stateReason ? ` (${dead[0].stateReason})` : ''} instead of running`,
          { hint: 'Check the AMI, instance type, subnet capacity and the account limits.' },
        )
      if (instances.length === ids.length && instances.every((i) => i.state === 'running')) return instances
      if (Date.now() >= deadline)
        throw providerError(`aws: instances ${ids.join(', ')} did not reach running within 10 minutes`)
      options.progress?.(
        `waiting for ${instances.filter((i) => i.state !== 'running').length} instance(s) to run`,
      )
      await sleep(2_000, options.signal)
    }
  }

  async #deregister(tgArn: string | undefined, ids: string[]): Promise<void> {
    if (!tgArn || ids.length === 0) return
    const { elb, elbSdk } = await this.clients()
    await elb
      .send(
        new elbSdk.DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: ids.map((Id) => ({ Id })) }),
      )
      .catch((error) => {
        if (!isAwsError(error, 'InvalidTarget', 'TargetGroupNotFound'))
          return call('DeregisterTargets', () => Promise.reject(error))
      })
  }

  async nodeHealth(fleet: Fleet): Promise<NodeHealth[]> {
    const { elb, elbSdk } = await this.clients()
    const group = await this.#targetGroup(fleet.colour)
    const ids = fleet.nodes.map((n) => n.id)
    const instances = await this.#instancesById(ids, 30_000).catch((error) => {
      if (isAwsError((error as { cause?: unknown }).cause, 'InvalidInstanceID.NotFound')) return []
      throw error
    })
    const health = group
      ? await call('DescribeTargetHealth', () =>
          elb.send(new elbSdk.DescribeTargetHealthCommand({ TargetGroupArn: group.arn })),
        )
      : { TargetHealthDescriptions: [] }
    return ids.map((id): NodeHealth => {
      const instance = instances.find((i) => i.id === id)
      if (!instance) return { node: id, status: 'gone', detail: 'instance not found' }
      if (instance.state !== 'running' && instance.state !== 'pending')
        return { node: id, status: 'gone', detail: `instance is ${instance.state}` }
      const target = health.TargetHealthDescriptions?.find((t) => t.Target?.Id === id)?.TargetHealth
      if (!target)
        return {
          node: id,
          status: 'gone',
          detail: `not registered in ${this.settings.targetGroupName(fleet.colour)}`,
        }
      return targetStatus(id, target, instance.launchTime, this.settings.aws.bootGrace)
    })
  }

  async probeTargets(): Promise<ProbeTarget[]> {
    return []
  }

  async preview(colour: Colour): Promise<URL | undefined> {
    const test = await this.testListener()
    if (!test) return undefined
    const group = await this.#targetGroup(colour)
    if (!group) throw providerError(`aws: cannot preview ${colour}: it has no target group`)
    const { elb, elbSdk } = await this.clients()
    await this.#recordOriginal(test.arn, 'test listener')
    await call('ModifyListener (test listener)', () =>
      elb.send(
        new elbSdk.ModifyListenerCommand({
          ListenerArn: test.arn,
          DefaultActions: previewActions(group.arn),
        }),
      ),
    )
    return this.#previewUrl(test)
  }

  async route(weights: Weights, options: OperationOptions = {}): Promise<void> {
    const groups = await this.#targetGroups()
    await this.#setWeights(weights, {
      ...(groups.blue ? { blue: groups.blue.arn } : {}),
      ...(groups.green ? { green: groups.green.arn } : {}),
    })
    options.progress?.(`listener: blue ${weights.blue} / green ${weights.green}`)
  }

  async #setWeights(weights: Weights, arns: Partial<Record<Colour, string>>): Promise<void> {
    const { elb, elbSdk } = await this.clients()
    const live = await this.liveListener()
    await this.#recordOriginal(live.arn, 'live listener')
    const { stickiness } = await this.#listenerForward(live.arn)
    const actions = listenerActions(weights, arns, stickiness)
    // Only DefaultActions is sent: port, protocol, certificates and rules stay as they are.
    await call('ModifyListener', () =>
      elb.send(new elbSdk.ModifyListenerCommand({ ListenerArn: live.arn, DefaultActions: actions })),
    )
  }

  async decommission(fleet: Fleet, options: OperationOptions & { drainMs: number }): Promise<void> {
    const progress = options.progress ?? (() => {})
    const { ec2, ec2Sdk, elb, elbSdk } = await this.clients()
    const groups = await this.#targetGroups()
    const group = groups[fleet.colour]
    if (group) {
      const weights = await this.#weights(groups)
      if (weights[fleet.colour] > 0)
        throw providerError(
          `aws: refusing to decommission ${fleet.colour}: it serves ${weights[fleet.colour]}% of traffic`,
        )
      const live = await this.liveListener()
      const forward = await this.#listenerForward(live.arn)
      if (forward.groups.some((g) => g.arn === group.arn)) {
        const other = COLOURS.find((c) => c !== fleet.colour) as Colour
        await this.#setWeights(weights, groups[other] ? { [other]: groups[other].arn } : {})
      }
      const test = await this.testListener()
      if (test && (await this.#listenerForward(test.arn)).groups.some((g) => g.arn === group.arn)) {
        await call('ModifyListener (test listener)', () =>
          elb.send(
            new elbSdk.ModifyListenerCommand({
              ListenerArn: test.arn,
              DefaultActions: previewActions(undefined),
            }),
          ),
        )
      }
    }
    const rule = await this.#attachRule(fleet.colour)
    if (rule?.RuleArn) await this.#deleteRule(rule.RuleArn)
    const instances = await this.#instances({ colour: fleet.colour })
    if (group && instances.length) {
      progress(`draining ${instances.length} target(s) of ${fleet.colour}`)
      await this.#deregister(
        group.arn,
        instances.map((i) => i.id),
      )
      await this.#waitDrained(
        group.arn,
        Math.max(options.drainMs, this.settings.aws.targetGroup.deregistrationDelay),
        options.signal,
      )
    }
    if (instances.length) {
      progress(`terminating ${instances.length} instance(s) of ${fleet.colour}`)
      await call('TerminateInstances', () =>
        ec2.send(new ec2Sdk.TerminateInstancesCommand({ InstanceIds: instances.map((i) => i.id) })),
      )
    }
    if (group) await this.#deleteTargetGroup(group.arn)
  }

  async #waitDrained(tgArn: string, maxMs: number, signal?: AbortSignal): Promise<void> {
    const { elb, elbSdk } = await this.clients()
    const deadline = Date.now() + maxMs + 5_000
    while (Date.now() < deadline) {
      const health = await call('DescribeTargetHealth', () =>
        elb.send(new elbSdk.DescribeTargetHealthCommand({ TargetGroupArn: tgArn })),
      )
      if (!health.TargetHealthDescriptions?.some((t) => t.TargetHealth?.State === 'draining')) return
      await sleep(2_000, signal)
    }
  }

  async #deleteTargetGroup(arn: string): Promise<void> {
    const { elb, elbSdk } = await this.clients()
    // Right after the listener stops using it AWS may still report ResourceInUse for a moment.
    for (let attempt = 0; ; attempt++) {
      try {
        await elb.send(new elbSdk.DeleteTargetGroupCommand({ TargetGroupArn: arn }))
        return
      } catch (error) {
        if (isAwsError(error, 'TargetGroupNotFound')) return
        if (!isAwsError(error, 'ResourceInUse') || attempt >= 10)
          return call('DeleteTargetGroup', () => Promise.reject(error))
        await sleep(2_000)
      }
    }
  }

  async annotate(colour: Colour, facts: Pick<Fleet, 'keepUntil'>): Promise<void> {
    const group = await this.#targetGroup(colour)
    if (!group) return
    const { elb, elbSdk } = await this.clients()
    if (facts.keepUntil)
      await call('AddTags (keep-until)', () =>
        elb.send(
          new elbSdk.AddTagsCommand({
            ResourceArns: [group.arn],
            Tags: toTags({ [TAG.keepUntil]: facts.keepUntil }),
          }),
        ),
      )
    else if (group.tags[TAG.keepUntil] !== undefined)
      await call('RemoveTags (keep-until)', () =>
        elb.send(new elbSdk.RemoveTagsCommand({ ResourceArns: [group.arn], TagKeys: [TAG.keepUntil] })),
      )
  }

  lock(): Lock {
    this.#lock ??= new ListenerRuleLock(
      this.settings,
      () => this.clients(),
      async () => (await this.liveListener()).arn,
    )
    return this.#lock
  }

  render(spec: FleetSpec): RenderedDocument[] {
    const { aws } = this.settings
    const userData = renderUserData(this.settings.userDataTemplate, userDataValues(this.settings, spec))
    const tags = fleetTags(this.settings, spec, '<now>')
    const vpcId = aws.vpcId ?? '<the load balancer VPC>'
    const listenerArn = aws.listenerArn ?? `<listener on port ${aws.listenerPort} of ${aws.loadBalancerName}>`
    const tgArn = `<target group ${this.settings.targetGroupName(spec.colour)}>`
    const launches = planLaunches(aws.subnets, new Map(), spec.size, [])
    const runInstances = launches.map((launch) => ({
      ...runInstancesInput(this.settings, spec, launch, userData),
      UserData: `<base64 of the user-data above, ${Buffer.byteLength(userData)} bytes>`,
    }))
    const weights = { blue: 0, green: 0, [spec.colour]: 100 } as Weights
    const other = COLOURS.find((c) => c !== spec.colour) as Colour
    const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`
    return [
      { title: `EC2 user-data (${spec.colour})`, language: 'yaml', content: userData },
      {
        title: 'ELBv2 CreateTargetGroup (+ ModifyTargetGroupAttributes)',
        language: 'json',
        content: json({
          ...createTargetGroupInput(this.settings, spec, vpcId, tags),
          Attributes: targetGroupAttributesInput(this.settings, tgArn).Attributes,
        }),
      },
      {
        title: 'ELBv2 CreateRule (attaches the group so the ALB health-checks it)',
        language: 'json',
        content: json(attachRuleInput(this.settings, listenerArn, spec.colour, tgArn)),
      },
      { title: 'EC2 RunInstances', language: 'json', content: json(runInstances) },
      {
        title: 'ELBv2 ModifyListener (final step of the shift)',
        language: 'json',
        content: json({
          ListenerArn: listenerArn,
          DefaultActions: listenerActions(weights, {
            [spec.colour]: tgArn,
            [other]: `<target group ${this.settings.targetGroupName(other)}>`,
          }),
        }),
      },
    ]
  }

  async destroy(options: OperationOptions = {}): Promise<void> {
    const progress = options.progress ?? (() => {})
    const live = await this.liveListener()
    const test = await this.testListener()
    // The records are deleted last: a destroy re-run after a crash restores the same actions again.
    const records: string[] = []
    for (const [listener, what] of [
      [live, 'live listener'],
      [test, 'test listener'],
    ] as const) {
      if (!listener) continue
      const record = await this.#restoreOriginal(listener.arn, what, progress)
      if (record) records.push(record)
    }
    const groups = await this.#targetGroups()
    for (const colour of COLOURS) {
      const group = groups[colour]
      const fleet = group ? this.#toFleet(colour, group, []) : undefined
      await this.decommission(fleet ?? { colour, sha: '', configName: '', configDigest: '', nodes: [] }, {
        ...options,
        drainMs: 0,
      })
    }
    for (const arn of records) await this.#deleteRule(arn)
  }

  async #defaultActions(listenerArn: string) {
    const { elb, elbSdk } = await this.clients()
    const found = await call('DescribeListeners', () =>
      elb.send(new elbSdk.DescribeListenersCommand({ ListenerArns: [listenerArn] })),
    )
    return found.Listeners?.[0]?.DefaultActions ?? []
  }

  /** The rule keeping `listenerArn`'s original default action, if gwdeploy recorded one for this target. */
  async #originalRule(listenerArn: string, what: string) {
    const { elb, elbSdk } = await this.clients()
    const priority = String(this.settings.originalPriority)
    const rule = (await this.#rules(listenerArn)).find((r) => r.Priority === priority)
    if (!rule?.RuleArn) return undefined
    const described = await call('DescribeTags (original action)', () =>
      elb.send(new elbSdk.DescribeTagsCommand({ ResourceArns: [rule.RuleArn as string] })),
    )
    const tags = fromTags(described.TagDescriptions?.[0]?.Tags)
    if (tags[TAG.role] !== ORIGINAL_ACTION_ROLE)
      throw providerError(
        `aws: listener rule priority ${priority} on the ${what} is taken by a rule gwdeploy did not create (${rule.RuleArn})`,
        {
          hint: 'gwdeploy reserves provider.aws.lockPriority and the three priorities below it; choose another lockPriority.',
        },
      )
    if (tags[TAG.target] !== this.settings.key) throw this.#sharedListener(what, tags[TAG.target] ?? '?')
    return { arn: rule.RuleArn, actions: rule.Actions ?? [] }
  }

  #sharedListener(what: string, other: string) {
    return configError(`the ${what} is already used by gwdeploy for ${other}, not ${this.settings.key}`, {
      location: {
        path: what === 'live listener' ? 'provider.aws.listenerArn' : 'provider.aws.testListenerArn',
      },
      hint: 'gwdeploy owns the default action of its listeners: give each service and env its own listener (another port or load balancer).',
    })
  }

  /**
   * Whether gwdeploy already owns `actions` (its 503, or a forward to this target's groups).
   * A forward to another service's or env's gwdeploy groups is refused: one listener has one
   * default action, so two targets sharing it would take each other's traffic.
   */
  async #ownsActions(actions: ListenerAction[], what: string): Promise<boolean> {
    if (actions.some(isNotServing)) return true
    const arns = actions.flatMap(forwardedGroups)
    if (arns.length === 0) return false
    const { elb, elbSdk } = await this.clients()
    const described = await call('DescribeTags (forwarded target groups)', () =>
      elb.send(new elbSdk.DescribeTagsCommand({ ResourceArns: arns })),
    )
    let ours = false
    for (const description of described.TagDescriptions ?? []) {
      const tags = fromTags(description.Tags)
      if (tags[TAG.managedBy] !== 'gwdeploy') continue
      if (tags[TAG.target] !== this.settings.key) throw this.#sharedListener(what, tags[TAG.target] ?? '?')
      ours = true
    }
    return ours
  }

  /** Before gwdeploy first changes a listener's default action: keep the original for destroy. */
  async #recordOriginal(listenerArn: string, what: string): Promise<void> {
    if (this.#recorded.has(listenerArn)) return
    if (!(await this.#originalRule(listenerArn, what))) {
      const current = await this.#defaultActions(listenerArn)
      if (!(await this.#ownsActions(current, what))) {
        const { elb, elbSdk } = await this.clients()
        await call(`CreateRule (original default action of the ${what})`, () =>
          elb.send(
            new elbSdk.CreateRuleCommand(
              originalActionRuleInput(this.settings, listenerArn, current) as ConstructorParameters<
                typeof elbSdk.CreateRuleCommand
              >[0],
            ),
          ),
        )
      }
    }
    this.#recorded.add(listenerArn)
  }

  /**
   * Puts back the default action gwdeploy recorded, else a fixed 503 if gwdeploy owns the
   * listener, else leaves it (gwdeploy never took it over). Returns the record to delete last.
   */
  async #restoreOriginal(
    listenerArn: string,
    what: string,
    progress: (message: string) => void,
  ): Promise<string | undefined> {
    const { elb, elbSdk } = await this.clients()
    const record = await this.#originalRule(listenerArn, what)
    let actions: unknown[] | undefined
    if (record) {
      progress(`${what}: restoring the default action it had before gwdeploy`)
      actions = record.actions
    } else if (await this.#ownsActions(await this.#defaultActions(listenerArn), what)) {
      progress(`${what}: fixed 503 (no colour serving; its original action was not recorded)`)
      actions = previewActions(undefined)
    }
    if (actions) {
      const DefaultActions = actions as NonNullable<
        ConstructorParameters<typeof elbSdk.ModifyListenerCommand>[0]['DefaultActions']
      >
      await call(`ModifyListener (${what})`, () =>
        elb.send(new elbSdk.ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions })),
      )
    }
    return record?.arn
  }

  async close(): Promise<void> {
    if (!this.#clients) return
    const clients = await this.#clients.catch(() => undefined)
    clients?.ec2.destroy()
    clients?.elb.destroy()
  }
}

/** ALB target health -> the engine's view. A fresh instance failing checks is still booting. */
export function targetStatus(
  id: string,
  target: { State?: string | undefined; Reason?: string | undefined; Description?: string | undefined },
  launchTime: Date | undefined,
  bootGraceMs: number,
  now = Date.now(),
): NodeHealth {
  const detail = [target.State, target.Reason, target.Description].filter(Boolean).join(': ')
  switch (target.State) {
    case 'healthy':
      return { node: id, status: 'healthy', detail }
    case 'initial':
      return { node: id, status: 'starting', detail }
    case 'unhealthy': {
      const age = launchTime ? now - launchTime.getTime() : Number.POSITIVE_INFINITY
      return age < bootGraceMs
        ? { node: id, status: 'starting', detail: `${detail} (booting: within provider.aws.bootGrace)` }
        : { node: id, status: 'unhealthy', detail }
    }
    case 'unused':
      return target.Reason === 'Target.NotInUse'
        ? { node: id, status: 'starting', detail }
        : { node: id, status: 'gone', detail }
    case 'draining':
    case 'unhealthy.draining':
      return { node: id, status: 'gone', detail }
    default:
      return { node: id, status: 'unhealthy', detail }
  }
}

export function createProvider(context: ProviderContext): Provider {
  return new AwsProvider(resolveSettings(context.config, context.dir, context.env))
}
