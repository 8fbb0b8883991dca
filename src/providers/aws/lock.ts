/**
 * The release lock on the ALB itself: a never-matching listener rule at a reserved priority.
 * Priorities are unique per listener, so CreateRule either succeeds (the lock is ours) or fails
 * with PriorityInUse (someone holds it). Holder, SHA, operation and expiry are the rule's tags
 * (visible with `aws elbv2 describe-tags`). An expired lock is taken over by deleting that rule
 * *by its ARN* and creating a new one: two takers can both delete, only one create succeeds,
 * and a late delete can never remove the winner's rule (it has a new ARN). Renewal writes tags
 * to our own rule ARN only, so it fails (lock lost) once the rule was broken or taken over.
 */
import { providerError } from '../../core/errors.ts'
import { newLockInfo } from '../lock-info.ts'
import type { CallOptions, Lock, LockInfo, LockRequest } from '../types.ts'
import { type AwsClients, call, isAwsError, stoppedBy } from './clients.ts'
import { fromTags, TAG, toTags } from './names.ts'
import { baseTags, NEVER_MATCHES } from './requests.ts'
import type { AwsSettings } from './settings.ts'

interface LockRule {
  arn: string
  info: LockInfo
}

export function lockRuleInput(settings: AwsSettings, listenerArn: string, info: LockInfo) {
  return {
    ListenerArn: listenerArn,
    Priority: settings.aws.lockPriority,
    Conditions: NEVER_MATCHES('X-Gwdeploy-Lock', settings.key),
    Actions: [
      {
        Type: 'fixed-response' as const,
        FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'gwdeploy lock' },
      },
    ],
    Tags: toTags({ ...baseTags(settings), ...lockTags(info) }),
  }
}

function lockTags(info: LockInfo): Record<string, string | undefined> {
  return {
    [TAG.lockHolder]: info.holder.slice(0, 256),
    [TAG.lockSha]: info.sha,
    [TAG.lockOperation]: info.operation,
    [TAG.lockAcquiredAt]: info.acquiredAt,
    [TAG.lockRenewedAt]: info.renewedAt,
    [TAG.lockExpiresAt]: info.expiresAt,
  }
}

export class ListenerRuleLock implements Lock {
  readonly #settings: AwsSettings
  readonly #clients: () => Promise<AwsClients>
  readonly #listener: () => Promise<string>
  #mine: LockRule | undefined
  #ttlMs = 0

  constructor(settings: AwsSettings, clients: () => Promise<AwsClients>, listener: () => Promise<string>) {
    this.#settings = settings
    this.#clients = clients
    this.#listener = listener
  }

  async #read(): Promise<LockRule | null> {
    const { elb, elbSdk } = await this.#clients()
    const listenerArn = await this.#listener()
    const priority = String(this.#settings.aws.lockPriority)
    let marker: string | undefined
    do {
      const page = await call('DescribeRules (lock)', () =>
        elb.send(
          new elbSdk.DescribeRulesCommand({
            ListenerArn: listenerArn,
            ...(marker ? { Marker: marker } : {}),
          }),
        ),
      )
      const rule = page.Rules?.find((r) => r.Priority === priority)
      if (rule?.RuleArn) {
        const described = await call('DescribeTags (lock)', () =>
          elb.send(new elbSdk.DescribeTagsCommand({ ResourceArns: [rule.RuleArn as string] })),
        ).catch((error) => {
          if (isAwsError(error.cause, 'RuleNotFound')) return { TagDescriptions: [] }
          throw error
        })
        const tags = fromTags(described.TagDescriptions?.[0]?.Tags)
        if (!tags[TAG.lockHolder]) {
          if (!described.TagDescriptions?.length) return null // deleted between the two calls
          throw providerError(
            `aws: listener rule priority ${priority} is taken by a rule gwdeploy did not create (${rule.RuleArn})`,
            { hint: 'Reserve another priority for the release lock: provider.aws.lockPriority.' },
          )
        }
        return {
          arn: rule.RuleArn,
          info: {
            holder: tags[TAG.lockHolder] ?? '',
            ...(tags[TAG.lockSha] ? { sha: tags[TAG.lockSha] } : {}),
            ...(tags[TAG.lockOperation] ? { operation: tags[TAG.lockOperation] } : {}),
            acquiredAt: tags[TAG.lockAcquiredAt] ?? '',
            renewedAt: tags[TAG.lockRenewedAt] ?? '',
            expiresAt: tags[TAG.lockExpiresAt] ?? new Date(0).toISOString(),
          },
        }
      }
      marker = page.NextMarker
    } while (marker)
    return null
  }

  async #delete(arn: string): Promise<void> {
    const { elb, elbSdk } = await this.#clients()
    try {
      await elb.send(new elbSdk.DeleteRuleCommand({ RuleArn: arn }))
    } catch (error) {
      if (!isAwsError(error, 'RuleNotFound')) await call('DeleteRule (lock)', () => Promise.reject(error))
    }
  }

  async tryAcquire(request: LockRequest, options: CallOptions = {}) {
    const { elb, elbSdk } = await this.#clients()
    // Reads and the delete of an expired lock stop with the run's interrupt; CreateRule does not
    // (only its timeout bounds it): stopped after it was sent, it could leave a lock nobody holds.
    const stoppable = <T>(fn: () => Promise<T>) => stoppedBy(options.signal, fn)
    const listenerArn = await stoppable(() => this.#listener())
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await stoppable(() => this.#read())
      if (current && Date.parse(current.info.expiresAt) > Date.now())
        return { acquired: false as const, lock: current.info }
      if (current) await stoppable(() => this.#delete(current.arn))
      const info = newLockInfo(request)
      try {
        const created = await elb.send(
          new elbSdk.CreateRuleCommand(lockRuleInput(this.#settings, listenerArn, info)),
        )
        const arn = created.Rules?.[0]?.RuleArn
        if (!arn) throw providerError('aws: CreateRule (lock) returned no rule')
        this.#mine = { arn, info }
        this.#ttlMs = request.ttlMs
        return { acquired: true as const, lock: info, ...(current ? { tookOver: current.info } : {}) }
      } catch (error) {
        if (!isAwsError(error, 'PriorityInUse')) await call('CreateRule (lock)', () => Promise.reject(error))
        // Someone else created it first (or took over the same expired lock): read it again.
      }
    }
    const holder = await stoppable(() => this.#read())
    if (holder) return { acquired: false as const, lock: holder.info }
    throw providerError('aws: the lock rule keeps changing; try again')
  }

  async renew(): Promise<LockInfo> {
    const mine = this.#mine
    if (!mine) throw providerError('aws: this process holds no lock')
    const { elb, elbSdk } = await this.#clients()
    const now = new Date()
    const info = {
      ...mine.info,
      renewedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.#ttlMs).toISOString(),
    }
    try {
      await elb.send(new elbSdk.AddTagsCommand({ ResourceArns: [mine.arn], Tags: toTags(lockTags(info)) }))
    } catch (error) {
      if (isAwsError(error, 'RuleNotFound')) {
        this.#mine = undefined
        throw providerError('aws: the lock rule is gone (broken with `lock release --force` or taken over)')
      }
      await call('AddTags (lock renewal)', () => Promise.reject(error))
    }
    mine.info = info
    return info
  }

  async release(): Promise<void> {
    const mine = this.#mine
    this.#mine = undefined
    if (mine) await this.#delete(mine.arn)
  }

  async status(options: CallOptions = {}): Promise<LockInfo | null> {
    return (await stoppedBy(options.signal, () => this.#read()))?.info ?? null
  }

  /** Stopped by `signal` mid-way, the rule is deleted or not: either way a re-run finds out. */
  forceRelease(options: CallOptions = {}): Promise<LockInfo | null> {
    return stoppedBy(options.signal, async () => {
      const current = await this.#read()
      if (!current) return null
      await this.#delete(current.arn)
      return current.info
    })
  }
}
