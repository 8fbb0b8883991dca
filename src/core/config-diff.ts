/**
 * What a release changes in the gateway configuration, against what is live: endpoints added,
 * removed and changed (backends, timeouts, ...), root settings, and the extra_config namespaces
 * (security and other components) wherever they sit. Pure: golden-tested. Values under
 * secret-looking keys are shown as [redacted].
 */
import { isCredentialPair, REDACTED, redact } from '../config/redact.ts'
import { readNamespaceAliases } from '../gateway/config/namespace-aliases.ts'
import { readWeakInput } from '../gateway/config/weak-input.ts'

interface ValueChange {
  /** Where, relative to the endpoint (or the root): `timeout`, `backend[0].host`, `extra_config["qos/ratelimit/router"].max_rate`. */
  path: string
  before?: unknown
  after?: unknown
}

interface EndpointChange {
  /** `GET /v1/users/{id}` */
  endpoint: string
  changes: ValueChange[]
}

interface ComponentChange {
  /** The extra_config namespace, e.g. `auth/validator`. */
  namespace: string
  /** `root`, `GET /v1/x`, or `GET /v1/x backend[0]`. */
  where: string
}

export interface ConfigDiff {
  /** The live config's name, or null when nothing is live or its config is not recorded. */
  live: string | null
  changed: boolean
  root: ValueChange[]
  endpoints: { added: string[]; removed: string[]; changed: EndpointChange[] }
  components: { added: ComponentChange[]; removed: ComponentChange[]; changed: ComponentChange[] }
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
const keyOf = (e: Json) =>
  `${typeof e.method === 'string' ? e.method.toUpperCase() : 'GET'} ${String(e.endpoint)}`
const segment = (key: string) => (/^[A-Za-z_][\w]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`)

function shown(key: string | number | undefined, value: unknown): unknown {
  if (value === undefined || typeof key !== 'string') return value
  return (redact({ [key]: value }) as Json)[key]
}

/**
 * Leaf-level changes between two JSON values, in key order of `after` then removed keys. `hidden`:
 * the value is a credential whatever its key says (a credential header's `value`, see isCredentialPair).
 */
function deepChanges(
  before: unknown,
  after: unknown,
  path: string,
  key?: string | number,
  hidden = false,
): ValueChange[] {
  if (same(before, after)) return []
  if (isObject(before) && isObject(after)) {
    const credential = isCredentialPair(before) || isCredentialPair(after)
    const keys = [...Object.keys(after), ...Object.keys(before).filter((k) => !(k in after))]
    return keys.flatMap((k) =>
      deepChanges(before[k], after[k], `${path}${segment(k)}`, k, credential && k === 'value'),
    )
  }
  if (Array.isArray(before) && Array.isArray(after) && before.every(isObject) && after.every(isObject)) {
    const length = Math.max(before.length, after.length)
    return Array.from({ length }, (_, i) => deepChanges(before[i], after[i], `${path}[${i}]`, key)).flat()
  }
  const change: ValueChange = { path: path.replace(/^\./, '') }
  if (before !== undefined) change.before = hidden ? REDACTED : shown(key, redact(before))
  if (after !== undefined) change.after = hidden ? REDACTED : shown(key, redact(after))
  return [change]
}

function endpointsOf(config: Json): Map<string, Json> {
  const map = new Map<string, Json>()
  for (const e of Array.isArray(config.endpoints) ? config.endpoints : [])
    if (isObject(e)) map.set(keyOf(e), e)
  return map
}

/** Every extra_config namespace with where it sits and its value. */
function componentsOf(config: Json): Map<string, unknown> {
  const out = new Map<string, unknown>()
  const add = (where: string, holder: unknown) => {
    const extra = isObject(holder) ? holder.extra_config : undefined
    if (isObject(extra))
      for (const [ns, value] of Object.entries(extra)) out.set(`${ns}\u0000${where}`, value)
  }
  add('root', config)
  for (const [key, endpoint] of endpointsOf(config)) {
    add(key, endpoint)
    const backends = Array.isArray(endpoint.backend) ? endpoint.backend : []
    backends.forEach((backend, i) => {
      add(`${key} backend[${i}]`, backend)
    })
  }
  return out
}

const component = (id: string): ComponentChange => {
  const [namespace = '', where = ''] = id.split('\u0000')
  return { namespace, where }
}

const quiet = { error: () => {}, warn: () => {} }

/**
 * The config as the nodes read it: service, endpoint and backend keys in another case
 * ("Endpoints", "Extra_Config", "Backend") under lura's names, their values as KrakenD's decoder
 * converts them, and KrakenD CE's long namespace names under the short ones.
 */
function asNodesRead(config: unknown): Json {
  if (!isObject(config)) return {}
  return readNamespaceAliases(readWeakInput(config).value, quiet).value
}

export function diffGatewayConfig(live: unknown, next: unknown): ConfigDiff {
  const before = asNodesRead(live)
  const after = asNodesRead(next)
  const { endpoints: _be, extra_config: _bx, ...beforeRoot } = before
  const { endpoints: _ae, extra_config: _ax, ...afterRoot } = after
  const root = deepChanges(beforeRoot, afterRoot, '')
  const was = endpointsOf(before)
  const now = endpointsOf(after)
  const endpoints = {
    added: [...now.keys()].filter((k) => !was.has(k)),
    removed: [...was.keys()].filter((k) => !now.has(k)),
    changed: [...now.entries()].flatMap(([k, e]) => {
      const old = was.get(k)
      const changes = old ? deepChanges(old, e, '') : []
      return changes.length ? [{ endpoint: k, changes }] : []
    }),
  }
  const cBefore = componentsOf(before)
  const cAfter = componentsOf(after)
  const components = {
    added: [...cAfter.keys()].filter((k) => !cBefore.has(k)).map(component),
    removed: [...cBefore.keys()].filter((k) => !cAfter.has(k)).map(component),
    changed: [...cAfter.keys()]
      .filter((k) => cBefore.has(k) && !same(cBefore.get(k), cAfter.get(k)))
      .map(component),
  }
  // Root extra_config changes are listed as components; the leaf changes too, under root.
  root.push(...deepChanges(before.extra_config, after.extra_config, 'extra_config'))
  const changed =
    root.length > 0 ||
    endpoints.added.length + endpoints.removed.length + endpoints.changed.length > 0 ||
    components.added.length + components.removed.length > 0
  return {
    live: isObject(live) && typeof live.name === 'string' ? live.name : isObject(live) ? '(unnamed)' : null,
    changed,
    root,
    endpoints,
    components,
  }
}

const value = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v))
const change = (c: ValueChange) => `${c.path}: ${value(c.before)} -> ${value(c.after)}`
const place = (c: ComponentChange) => `${c.namespace} (${c.where})`

/** For a terminal / CI log. */
export function renderConfigDiff(diff: ConfigDiff): string {
  if (diff.live === null)
    return 'gateway config: nothing live to compare with (first release, or not recorded)'
  if (!diff.changed) return `gateway config: no changes against live ${diff.live}`
  const lines = [`gateway config against live ${diff.live}:`]
  const e = diff.endpoints
  lines.push(`  endpoints: ${e.added.length} added, ${e.removed.length} removed, ${e.changed.length} changed`)
  for (const k of e.added) lines.push(`  + ${k}`)
  for (const k of e.removed) lines.push(`  - ${k}`)
  for (const c of e.changed) {
    lines.push(`  ~ ${c.endpoint}`)
    for (const v of c.changes) lines.push(`      ${change(v)}`)
  }
  const comp = diff.components
  if (comp.added.length + comp.removed.length + comp.changed.length > 0) {
    lines.push('  components (extra_config):')
    for (const c of comp.added) lines.push(`  + ${place(c)}`)
    for (const c of comp.removed) lines.push(`  - ${place(c)}`)
    for (const c of comp.changed) lines.push(`  ~ ${place(c)}`)
  }
  if (diff.root.length) {
    lines.push('  root:')
    for (const v of diff.root) lines.push(`      ${change(v)}`)
  }
  return lines.join('\n')
}

/** Rows for the GitHub step summary table. */
export function configDiffRows(diff: ConfigDiff): Array<[string, string]> {
  if (diff.live === null) return [['live config', 'none to compare with']]
  const rows: Array<[string, string]> = [['live config', diff.live]]
  if (!diff.changed) return [...rows, ['changes', 'none']]
  for (const k of diff.endpoints.added) rows.push([`+ ${k}`, 'added'])
  for (const k of diff.endpoints.removed) rows.push([`- ${k}`, 'removed'])
  for (const c of diff.endpoints.changed) rows.push([`~ ${c.endpoint}`, c.changes.map(change).join('; ')])
  for (const c of diff.components.added) rows.push([`+ ${c.namespace}`, `added on ${c.where}`])
  for (const c of diff.components.removed) rows.push([`- ${c.namespace}`, `removed from ${c.where}`])
  for (const c of diff.components.changed) rows.push([`~ ${c.namespace}`, `changed on ${c.where}`])
  if (diff.root.length) rows.push(['root', diff.root.map(change).join('; ')])
  return rows
}
