/** Shapes of the real API: resources served, Status bodies, label selectors, patches. */

export interface ResourceType {
  group: string
  version: string
  plural: string
  singular: string
  kind: string
  shortNames?: string[]
}

export const RESOURCES: ResourceType[] = [
  { group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', shortNames: ['po'] },
  { group: '', version: 'v1', plural: 'services', singular: 'service', kind: 'Service', shortNames: ['svc'] },
  {
    group: '',
    version: 'v1',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    shortNames: ['cm'],
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    shortNames: ['deploy'],
  },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', singular: 'lease', kind: 'Lease' },
]

export const apiVersionOf = (type: ResourceType) =>
  type.group ? `${type.group}/${type.version}` : type.version
export const qualified = (type: ResourceType) => (type.group ? `${type.plural}.${type.group}` : type.plural)

export class ApiError extends Error {
  readonly code: number
  readonly reason: string
  readonly details: Record<string, unknown>
  constructor(code: number, reason: string, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.code = code
    this.reason = reason
    this.details = details
  }
  status() {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    }
  }
}

const details = (type: ResourceType, name: string) => ({ name, group: type.group, kind: type.plural })

export const notFound = (type: ResourceType, name: string) =>
  new ApiError(404, 'NotFound', `${qualified(type)} "${name}" not found`, details(type, name))
export const alreadyExists = (type: ResourceType, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualified(type)} "${name}" already exists`, details(type, name))
export const conflict = (type: ResourceType, name: string) =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(type, name),
  )
export const invalid = (type: ResourceType, name: string, message: string) =>
  new ApiError(422, 'Invalid', `${type.kind} "${name}" is invalid: ${message}`, details(type, name))
export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message)

/** Equality-based and set-based label selectors (`a=b,c!=d,e in (x,y),f,!g`). */
export function matchesSelector(labels: Record<string, string>, selector: string | null): boolean {
  if (!selector) return true
  const terms = selector.match(/([^,(]+(\([^)]*\))?)/g) ?? []
  return terms.every((raw) => {
    const term = raw.trim()
    if (!term) return true
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term)
    if (m) {
      const values = (m[3] ?? '').split(',').map((v) => v.trim())
      const has = (m[1] as string) in labels && values.includes(labels[m[1] as string] as string)
      return m[2] === 'in' ? has : !has
    }
    m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term)
    if (m) {
      const value = labels[(m[1] as string).trim()]
      return m[2] === '!=' ? value !== m[3] : value === m[3]
    }
    if (term.startsWith('!')) return !(term.slice(1) in labels)
    return term in labels
  })
}

/** RFC 7386 JSON merge patch (what strategic merge does for the maps and scalars gwdeploy patches). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch
  const result: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {}
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

/** RFC 6902 JSON patch: add, replace, remove, test. */
export function jsonPatch(
  target: unknown,
  ops: Array<{ op: string; path: string; value?: unknown }>,
): unknown {
  const doc = structuredClone(target) as Record<string, unknown>
  for (const op of ops) {
    const parts = op.path
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    const last = parts.pop()
    if (last === undefined) throw badRequest(`json patch: bad path ${op.path}`)
    let parent: Record<string, unknown> = doc
    for (const part of parts) {
      const next = parent[part]
      if (next === undefined || next === null || typeof next !== 'object')
        throw badRequest(`json patch: missing ${op.path}`)
      parent = next as Record<string, unknown>
    }
    if (op.op === 'test') {
      if (JSON.stringify(parent[last]) !== JSON.stringify(op.value))
        throw new ApiError(422, 'Invalid', `test failed at ${op.path}`)
    } else if (op.op === 'remove') {
      if (!(last in parent)) throw new ApiError(422, 'Invalid', `remove: ${op.path} does not exist`)
      if (Array.isArray(parent)) parent.splice(Number(last), 1)
      else delete parent[last]
    } else if (op.op === 'add' || op.op === 'replace') {
      if (Array.isArray(parent) && op.op === 'add')
        parent.splice(last === '-' ? parent.length : Number(last), 0, op.value)
      else parent[last] = op.value
    } else throw badRequest(`json patch: unsupported op ${op.op}`)
  }
  return doc
}
