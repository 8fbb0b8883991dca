/**
 * What a release needs the API server to allow in the namespace (templates/kubernetes/rbac.yaml),
 * checked before anything changes with one SelfSubjectRulesReview (every authenticated user may
 * ask it). Without it a Role missing a verb fails a release midway: `pods/proxy` missing made
 * every health check answer 403 until the gate's deadline (exit 4, blaming green).
 */

import type * as k8s from '@kubernetes/client-node'
import { providerError } from '../../core/errors.ts'
import { type ApiServer, otherContextNamespace } from './client.ts'

export interface Permission {
  group: string
  resource: string
  verb: string
  /** Why gwdeploy needs it, for the error. */
  why: string
}

const core = (resource: string, verb: string, why: string): Permission => ({
  group: '',
  resource,
  verb,
  why,
})

/** What `release` (and a rollback that redeploys) asks the API server for, after it holds the Lease. */
export function releasePermissions(options: { revoker: boolean }): Permission[] {
  const deployments = (verb: string, why: string) => ({ group: 'apps', resource: 'deployments', verb, why })
  return [
    deployments('get', 'read the colours'),
    deployments('create', 'create a colour'),
    deployments('update', 'replace a colour with the release'),
    deployments('patch', 'scale and annotate a colour'),
    core('services', 'get', 'read the live and preview Services'),
    core('services', 'create', 'create the live and preview Services'),
    core('services', 'patch', "switch a Service's selector"),
    core('pods', 'list', "read the colours' pods"),
    core('endpoints', 'get', 'wait for a switch to take effect'),
    {
      group: 'discovery.k8s.io',
      resource: 'endpointslices',
      verb: 'list',
      why: 'wait for a switch to take effect',
    },
    core('pods/proxy', 'get', "check each pod's health and read its metrics"),
    core('services/proxy', 'get', 'run the smoke checks through the preview Service'),
    core('configmaps', 'list', 'read the release records'),
    core('configmaps', 'create', 'write the release record'),
    core('configmaps', 'delete', 'prune the records beyond records.keep'),
    ...(options.revoker
      ? [
          core('pods/portforward', 'get', "carry auth/revoker's revocations"),
          core('pods/portforward', 'create', "carry auth/revoker's revocations"),
        ]
      : []),
  ]
}

const has = (list: string[] | undefined, value: string) => (list ?? []).some((v) => v === '*' || v === value)

/** Whether one rule grants the permission (RBAC's matching: `*`, `pods/*`, `*\/proxy`). */
function grants(rule: k8s.V1ResourceRule, wanted: Permission): boolean {
  if (!has(rule.verbs, wanted.verb) || !has(rule.apiGroups, wanted.group)) return false
  const [resource, sub] = wanted.resource.split('/')
  return (rule.resources ?? []).some(
    (r) =>
      r === '*' ||
      r === wanted.resource ||
      (sub !== undefined && (r === `${resource}/*` || r === `*/${sub}`)),
  )
}

/** The permissions the rules do not grant (rules limited to resourceNames count as granting: gwdeploy cannot tell). */
export function missingPermissions(rules: k8s.V1ResourceRule[], wanted: Permission[]): Permission[] {
  return wanted.filter((p) => !rules.some((rule) => grants(rule, p)))
}

export const describePermission = (p: Permission) =>
  `${p.verb} ${p.group ? `${p.resource}.${p.group}` : p.resource}`

/**
 * Exit 6 naming every missing verb and resource, before anything changes. Nothing is refused when
 * the API server cannot say (the review refused, or `incomplete`: another authorizer, a webhook, may
 * allow more than RBAC's rules show).
 */
export async function checkPermissions(
  review: () => Promise<k8s.V1SelfSubjectRulesReview | undefined>,
  namespace: string,
  wanted: Permission[],
  where: Partial<ApiServer> = {},
): Promise<void> {
  const answer = await review().catch(() => undefined)
  const status = answer?.status
  if (!status || status.incomplete) return
  const missing = missingPermissions(status.resourceRules ?? [], wanted)
  if (missing.length === 0) return
  throw providerError(
    `kubernetes: the credentials gwdeploy runs with may not ${missing.map(describePermission).join(', ')} in namespace ${namespace}; nothing was changed`,
    {
      problems: missing.map((p) => ({ message: `${describePermission(p)}: needed to ${p.why}` })),
      hint: `Apply templates/kubernetes/rbac.yaml in namespace ${namespace} and bind its Role to the user or service account gwdeploy runs as (kubectl -n ${namespace} auth can-i --list shows what it may do).${otherContextNamespace(namespace, where)}`,
    },
  )
}
