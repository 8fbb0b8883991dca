/**
 * The `aws` provider: EC2 instances (user-data runs the release image by digest) in one target
 * group per colour, behind an ALB listener whose default action is a weighted forward between
 * the two groups. Everything is rebuilt from AWS on every call: target-group tags are the fleet
 * records, instance tags name the nodes, the listener holds the weights, a listener rule the lock.
 * Request inputs are built by requests.ts (pure); the I/O lives in listeners.ts, target-groups.ts,
 * instances.ts and original-action.ts; provision.ts and decommission.ts bring a colour up and take
 * it down; this file only orders the steps of each Provider method.
 */

import { configError, providerError } from '../../core/errors.ts'
import { LOOKBACK } from '../../core/records.ts'
import {
  COLOURS,
  type Colour,
  type DecommissionOptions,
  type Fleet,
  type FleetNode,
  type FleetSpec,
  type InspectOptions,
  type Lock,
  type MaintenanceState,
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
import { type AwsClients, createClients, stoppedBy } from './clients.ts'
import type { AwsContext } from './context.ts'
import { decommissionFleet } from './decommission.ts'
import { checkSecretReferences } from './fleet-secrets.ts'
import { findInstances, orphanFleet, toFleet } from './instances.ts'
import { checkLaunchSettings } from './launch-settings.ts'
import {
  deleteRule,
  describeListener,
  forwardWeights,
  type ListenerInfo,
  previewUrl,
  setDefaultActions,
  trafficSplit,
  untagWeights,
} from './listeners.ts'
import { ListenerRuleLock } from './lock.ts'
import { logsNotReachable } from './logs.ts'
import { readMaintenance, setMaintenance } from './maintenance.ts'
import { TAG } from './names.ts'
import { checkNetwork } from './network.ts'
import { fleetHealth } from './node-health.ts'
import { OriginalActions } from './original-action.ts'
import { provisionFleet } from './provision.ts'
import { SsmRecords } from './records.ts'
import { renderDocuments } from './render.ts'
import { previewActions } from './requests.ts'
import { type AwsSettings, resolveSettings } from './settings.ts'
import { readTargetGroup, readTargetGroups, tagKeepUntil } from './target-groups.ts'
import { renderUserData, userDataValues } from './user-data.ts'

export class AwsProvider implements Provider, AwsContext {
  readonly id = 'aws' as const
  readonly capabilities: ProviderCapabilities
  readonly settings: AwsSettings
  #clients: Promise<AwsClients> | undefined
  #listener: Promise<ListenerInfo> | undefined
  #testListener: Promise<ListenerInfo | undefined> | undefined
  #lock: ListenerRuleLock | undefined
  readonly originals: OriginalActions = new OriginalActions(this)
  #records: SsmRecords | undefined

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
      nodesPullRevocations: true,
      routingEmptiedOnDestroy:
        "gwdeploy's routing on the ALB removed (its listener rules and weight tags; the listeners' own actions put back; the ALB and its listeners stay)",
    }
  }

  clients(): Promise<AwsClients> {
    this.#clients ??= createClients(this.settings)
    return this.#clients
  }

  liveListener(): Promise<ListenerInfo> {
    const { aws } = this.settings
    this.#listener ??= describeListener(this, aws.listenerArn, aws.listenerPort, 'live listener')
    this.#listener.catch(() => {
      this.#listener = undefined
    })
    return this.#listener
  }

  testListener(): Promise<ListenerInfo | undefined> {
    const { aws } = this.settings
    if (!aws.testListenerArn && !aws.testListenerPort) return Promise.resolve(undefined)
    this.#testListener ??= Promise.all([
      describeListener(this, aws.testListenerArn, aws.testListenerPort, 'test listener'),
      this.liveListener(),
    ]).then(([test, live]) => {
      if (test.arn === live.arn)
        throw configError(`the test listener is the live listener (${live.arn})`, {
          location: {
            path: aws.testListenerArn ? 'provider.aws.testListenerArn' : 'provider.aws.testListenerPort',
          },
          hint: 'Give another listener (port) of the same load balancer: previews would send live traffic to green before its gate.',
        })
      return test
    })
    this.#testListener.catch(() => {
      this.#testListener = undefined
    })
    return this.#testListener
  }

  inspect(options: InspectOptions = {}): Promise<TargetState> {
    return stoppedBy(options.signal, () => this.#inspect())
  }

  /**
   * The config name of instances whose target group is gone, launched before instances carried it
   * (gwdeploy:config-name): the release record of their SHA and digest says it ('' when none does).
   */
  async #recordedName(fleet: Fleet): Promise<string> {
    const records = await this.records()
      .list(LOOKBACK)
      .catch(() => [])
    const own = records.find(
      (r) => r.sha === fleet.sha && r.configDigest === fleet.configDigest && r.configName,
    )
    return own?.configName ?? ''
  }

  async #inspect(): Promise<TargetState> {
    const [live, test, groups, instances] = await Promise.all([
      this.liveListener(),
      this.testListener(),
      readTargetGroups(this),
      findInstances(this, { gone: true }),
    ])
    const fleets: TargetState['fleets'] = {}
    for (const colour of COLOURS) {
      const group = groups[colour]
      const own = instances.filter((i) => i.tags[TAG.colour] === colour)
      const fleet = group ? toFleet(colour, group, own) : orphanFleet(colour, own)
      if (fleet && !group && !fleet.configName) fleet.configName = await this.#recordedName(fleet)
      if (fleet) fleets[colour] = fleet
    }
    const scheme = live.protocol === 'HTTPS' ? 'https' : 'http'
    const split = await trafficSplit(this, groups)
    return {
      provider: 'aws',
      service: this.settings.service,
      fleets,
      weights: split.weights,
      router: {
        present: true,
        endpoint: `${scheme}://${live.dnsName}:${live.port}`,
        ...(test ? { preview: previewUrl(this, test).origin } : {}),
        detail: [
          `ALB listener ${live.arn}`,
          // Before the first release the listener's own action is expected: nothing to say then.
          ...(split.unrouted && Object.keys(fleets).length > 0 ? [split.unrouted] : []),
          ...(split.edited ? [split.edited] : []),
          ...split.foreign.map(
            (g) =>
              `it also forwards ${g.percent}% of all traffic to ${g.name}, added by hand (blue/green percentages are of the rest; the next shift removes it)`,
          ),
        ].join('; '),
      },
      lock: await this.lock().status(),
      maintenance: await readMaintenance(this),
    }
  }

  /** A fixed-response rule at maintenancePriority on the live listener; the default action is untouched. */
  async setMaintenance(state: MaintenanceState | null, options: OperationOptions = {}): Promise<void> {
    await stoppedBy(options.signal, () => setMaintenance(this, state))
  }

  /**
   * Before the engine changes anything (retires the idle colour) or writes a `failed` record: what
   * provision would refuse from the settings alone — the user-data template, fleet.env references
   * that do not exist, subnets and security groups outside the VPC.
   */
  preflight(spec: FleetSpec, options: OperationOptions = {}): Promise<void> {
    return stoppedBy(options.signal, () => this.#preflight(spec))
  }

  async #preflight(spec: FleetSpec): Promise<void> {
    // A listener another service or env uses is the error to report first (its subnets differ too).
    await this.originals.check((await this.liveListener()).arn, 'live listener')
    // Without the revoker peers, known only once the idle colour is settled; provision renders again.
    renderUserData(this.settings.userDataTemplate, userDataValues(this.settings, spec))
    await checkSecretReferences(this.settings)
    await checkNetwork(this)
    await checkLaunchSettings(this)
  }

  async provision(spec: FleetSpec, options: OperationOptions = {}): Promise<Fleet> {
    return stoppedBy(options.signal, () => provisionFleet(this, spec, options))
  }

  nodeHealth(fleet: Fleet, options: OperationOptions = {}): Promise<NodeHealth[]> {
    return stoppedBy(options.signal, () => fleetHealth(this, fleet))
  }

  async probeTargets(): Promise<ProbeTarget[]> {
    return []
  }

  preview(colour: Colour, options: OperationOptions = {}): Promise<URL | undefined> {
    return stoppedBy(options.signal, () => this.#preview(colour))
  }

  async #preview(colour: Colour): Promise<URL | undefined> {
    const test = await this.testListener()
    if (!test) return undefined
    const group = await readTargetGroup(this, colour)
    if (!group) throw providerError(`aws: cannot preview ${colour}: it has no target group`)
    await this.originals.record(test.arn, 'test listener')
    await setDefaultActions(this, 'ModifyListener (test listener)', test.arn, previewActions(group.arn))
    return previewUrl(this, test)
  }

  async route(weights: Weights, options: OperationOptions = {}): Promise<void> {
    await stoppedBy(options.signal, async () => {
      const groups = await readTargetGroups(this)
      await forwardWeights(this, weights, {
        ...(groups.blue ? { blue: groups.blue.arn } : {}),
        ...(groups.green ? { green: groups.green.arn } : {}),
      })
    })
    options.progress?.(`listener: blue ${weights.blue} / green ${weights.green}`)
  }

  async decommission(fleet: Fleet, options: DecommissionOptions): Promise<void> {
    await stoppedBy(options.signal, () => decommissionFleet(this, fleet, options))
  }

  async annotate(colour: Colour, facts: Pick<Fleet, 'keepUntil'>): Promise<void> {
    const group = await readTargetGroup(this, colour)
    if (group) await tagKeepUntil(this, group, facts.keepUntil)
  }

  // biome-ignore lint/correctness/useYield: AWS nodes' logs cannot be read from here; the error says how.
  async *streamLogs(node: FleetNode): AsyncGenerator<string> {
    throw logsNotReachable(node, this.settings.region)
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
    return renderDocuments(this.settings, spec)
  }

  destroy(options: OperationOptions = {}): Promise<void> {
    return stoppedBy(options.signal, () => this.#destroy(options))
  }

  async #destroy(options: OperationOptions): Promise<void> {
    const progress = options.progress ?? (() => {})
    const live = await this.liveListener()
    const test = await this.testListener()
    await setMaintenance(this, null)
    // The records are deleted last: a destroy re-run after a crash restores the same actions again.
    const records: string[] = []
    for (const [listener, what] of [
      [live, 'live listener'],
      [test, 'test listener'],
    ] as const) {
      if (!listener) continue
      const record = await this.originals.restore(listener.arn, what, progress)
      if (record) records.push(record)
    }
    const groups = await readTargetGroups(this)
    for (const colour of COLOURS) {
      const group = groups[colour]
      const fleet = group ? toFleet(colour, group, []) : undefined
      await this.decommission(fleet ?? { colour, sha: '', configName: '', configDigest: '', nodes: [] }, {
        ...options,
        drainMs: 0,
      })
    }
    for (const arn of records) await deleteRule(this, arn)
    await untagWeights(this, live.arn)
  }

  records(): SsmRecords {
    this.#records ??= new SsmRecords(this.settings)
    return this.#records
  }

  async close(): Promise<void> {
    this.#records?.close()
    if (!this.#clients) return
    const clients = await this.#clients.catch(() => undefined)
    clients?.ec2.destroy()
    clients?.elb.destroy()
  }
}

export function createProvider(context: ProviderContext): Provider {
  return new AwsProvider(resolveSettings(context.config, context.dir, context.env))
}
