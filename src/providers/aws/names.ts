/**
 * Names and tags of everything gwdeploy creates on AWS. Tags are the source of truth:
 * `inspect()` rebuilds fleets from target-group tags and instances from instance tags.
 */
import { createHash } from 'node:crypto'
import type { Colour } from '../types.ts'

export const TAG = {
  managedBy: 'gwdeploy:managed-by',
  /** service, or service-env: what one gwdeploy.yml (+ env) deploys. Instances are found by it. */
  target: 'gwdeploy:target',
  service: 'gwdeploy:service',
  env: 'gwdeploy:env',
  colour: 'gwdeploy:colour',
  sha: 'gwdeploy:sha',
  configName: 'gwdeploy:config-name',
  configDigest: 'gwdeploy:config-digest',
  image: 'gwdeploy:image',
  /** On instances: auth/revoker's port, where nodes launched later pull revocations from. */
  revokerPort: 'gwdeploy:revoker-port',
  /** On target groups: fleet.size of the release, so instances terminated behind gwdeploy's back still count (as gone). */
  size: 'gwdeploy:size',
  createdAt: 'gwdeploy:created-at',
  keepUntil: 'gwdeploy:keep-until',
  /** On the live listener: the weights gwdeploy last set (`blue=90 green=10`), to tell a hand edit. */
  weights: 'gwdeploy:weights',
  /** What a listener rule is for (the lock has its own tags). */
  role: 'gwdeploy:role',
  maintenanceSince: 'gwdeploy:maintenance-since',
  maintenanceBy: 'gwdeploy:maintenance-by',
  lockHolder: 'gwdeploy:lock-holder',
  lockSha: 'gwdeploy:lock-sha',
  lockOperation: 'gwdeploy:lock-operation',
  lockAcquiredAt: 'gwdeploy:lock-acquired-at',
  lockRenewedAt: 'gwdeploy:lock-renewed-at',
  lockExpiresAt: 'gwdeploy:lock-expires-at',
} as const

export interface Tag {
  Key: string
  Value: string
}

/** `service` or `service-env`: distinguishes the targets of several envs in one account. */
export function targetKey(service: string, env: string | undefined): string {
  return env ? `${service}-${env}` : service
}

/**
 * Target group names: at most 32 characters of [A-Za-z0-9-], unique per region and account.
 * Long keys are cut and suffixed with a hash of the whole key so two targets never collide.
 */
export function targetGroupName(key: string, colour: Colour): string {
  const full = `${key}-${colour}`
  if (full.length <= 32) return full
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 6)
  const room = 32 - colour.length - hash.length - 2
  return `${key.slice(0, room).replace(/-+$/, '')}-${hash}-${colour}`
}

export function toTags(record: Record<string, string | undefined>): Tag[] {
  return Object.entries(record)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([Key, Value]) => ({ Key, Value }))
}

export function fromTags(tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> = []) {
  const out: Record<string, string> = {}
  for (const tag of tags) if (tag.Key) out[tag.Key] = tag.Value ?? ''
  return out
}

/** Idempotency token for RunInstances (<= 64 chars): same launch request => same token. */
export function clientToken(parts: readonly string[]): string {
  return `gwd-${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 48)}`
}
