import type { KeyPath } from '../core/document.ts'

/**
 * The gwdeploy.yml keys that say which target a command acts on: the service (it names every
 * resource) and where the provider finds its router, fleet, lock and records. `destroy` and
 * `retire` run without the release's `${VAR}`s, but never with one of these defaulted: a state
 * directory, namespace or listener taken from its default is another target.
 */
const TARGET_KEYS: readonly (readonly string[])[] = [
  ['service'],
  // Not where the target is, but image-based providers cannot be opened without it (no default).
  ['image', 'repository'],
  ['provider', 'kind'],
  ['provider', 'local'],
  ['provider', 'haproxy'],
  ['provider', 'aws', 'region'],
  ['provider', 'aws', 'profile'],
  ['provider', 'aws', 'endpoint'],
  ['provider', 'aws', 'listenerArn'],
  ['provider', 'aws', 'loadBalancerName'],
  ['provider', 'aws', 'listenerPort'],
  ['provider', 'aws', 'testListenerArn'],
  ['provider', 'aws', 'testListenerPort'],
  ['provider', 'aws', 'lockPriority'],
  ['provider', 'aws', 'maintenancePriority'],
  ['provider', 'kubernetes', 'kubeconfig'],
  ['provider', 'kubernetes', 'context'],
  ['provider', 'kubernetes', 'namespace'],
  ['provider', 'kubernetes', 'service'],
  ['provider', 'kubernetes', 'previewService'],
]

export function locatesTarget(path: KeyPath): boolean {
  return TARGET_KEYS.some((key) => key.every((part, index) => path[index] === part))
}
