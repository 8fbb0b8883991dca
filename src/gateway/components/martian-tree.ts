// The tree of a `modifier/martian` config (martian.ts): which modifier types and fields this
// runtime reads, each one's scope as martian's parse.NewResult takes it, and the modifiers that
// groups and filters hold, in the order they run. Each modifier's own fields: martian-modifiers.ts.

import type { KeyPath } from '../../core/source-text.ts'
import type { MartianStep } from './martian.ts'
import { filterCondition, modifierStep } from './martian-modifiers.ts'
import { fold, type MartianReader } from './martian-reader.ts'
import { isObject } from './types.ts'

/** The steps a modifier (with those it holds) adds on the backend request and on its answer. */
type Scoped = { request: MartianStep[]; response: MartianStep[] }

/** The JSON fields each supported modifier's Go struct reads. */
const FIELDS: Record<string, string[]> = {
  'fifo.Group': ['modifiers', 'scope', 'aggregateErrors'],
  'header.Modifier': ['name', 'value', 'scope'],
  'header.Append': ['name', 'value', 'scope'],
  'header.Copy': ['from', 'to', 'scope'],
  'header.Blacklist': ['names', 'scope'],
  'querystring.Modifier': ['name', 'value', 'scope'],
  'cookie.Modifier': ['name', 'value', 'path', 'domain', 'expires', 'secure', 'httpOnly', 'maxAge', 'scope'],
  'header.Filter': ['name', 'value', 'modifier', 'else', 'scope'],
  'querystring.Filter': ['name', 'value', 'modifier', 'else', 'scope'],
  'header.RegexFilter': ['regex', 'header', 'modifier', 'scope'],
  'body.Modifier': ['body', 'contentType', 'scope'],
  'url.Modifier': ['scheme', 'host', 'path', 'query', 'scope'],
  'url.Filter': ['scheme', 'host', 'path', 'query', 'modifier', 'else', 'scope'],
  'status.Modifier': ['statusCode', 'scope'],
  'priority.Group': ['modifiers', 'scope'],
  'cookie.Filter': ['name', 'value', 'modifier', 'else', 'scope'],
  'port.Modifier': ['port', 'defaultForScheme', 'remove', 'scope'],
  'stash.Modifier': ['headerName', 'scope'],
  'url.RegexFilter': ['regex', 'modifier', 'else', 'scope'],
  'header.Id': ['header', 'scope'],
  'header.Verifier': ['name', 'value', 'scope'],
  'port.Filter': ['port', 'modifier', 'scope'],
}
const SUPPORTED = Object.keys(FIELDS)
/** Where a field Go's json ignores is refused (a misspelt condition would silently match everything). */
const STRICT = new Set([
  'url.Modifier',
  'url.Filter',
  'status.Modifier',
  'priority.Group',
  'cookie.Filter',
  'port.Modifier',
  'stash.Modifier',
  'url.RegexFilter',
  // no "else": one would be ignored, its modifiers never run
  'port.Filter',
])
/** Modifiers that have no response side (martian's parse.NewResult refuses that scope). */
const REQUEST_ONLY = new Set(['querystring.Modifier', 'url.Modifier', 'port.Modifier', 'header.Id'])
/**
 * Verifiers that ask martian.NewContext for the request's martian context, which is nil outside
 * martian's own proxy: the nil pointer panics on every request (or answer) they see in KrakenD.
 */
const PANICS = new Set(['querystring.Verifier', 'url.Verifier', 'status.Verifier'])
/** Modifiers that have no request side. */
const RESPONSE_ONLY = new Set(['status.Modifier'])

const none: Scoped = { request: [], response: [] }

/** The steps of the modifier `node` (one key, its type) at `at`; none after an error. */
export function walkModifier(node: unknown, at: KeyPath, read: MartianReader): Scoped {
  if (!isObject(node) || Object.keys(node).length !== 1) {
    read.fail(at, 'a martian modifier is an object with exactly one key, its type (e.g. "header.Modifier")')
    return none
  }
  const type = Object.keys(node)[0] as string
  const here = [...at, type]
  if (PANICS.has(type)) {
    read.fail(
      here,
      `${type} panics on every call it sees in KrakenD CE 2.13.8 (a nil martian context): gin answers 500, and an endpoint with several backends takes the whole KrakenD process down`,
      'remove it: a verifier only records mismatches in memory and changes nothing; to act on a request use header.Filter, querystring.Filter or url.Filter',
    )
    return none
  }
  if (type === 'static.Modifier') {
    read.fail(
      here,
      "static.Modifier is not supported by this runtime: KrakenD answers with files from its own disk (rootPath relative to its working directory, the Content-Type from the host's MIME tables), which a gwdeploy release does not ship",
      'serve the files from a backend, or set `image.runtime: krakend` in gwdeploy.yml to run the official KrakenD image',
    )
    return none
  }
  if (!SUPPORTED.includes(type)) {
    read.fail(
      here,
      `martian modifier "${type}" is not supported by this runtime`,
      `use ${SUPPORTED.join(', ')}; or set \`image.runtime: krakend\` in gwdeploy.yml to run the official KrakenD image`,
    )
    return none
  }
  if (!isObject(node[type])) {
    read.fail(here, `"${type}" must be an object`)
    return none
  }
  const fields = FIELDS[type] as string[]
  const body = read.canonical(node[type] as Record<string, unknown>, fields, here)
  if (body === undefined) return none
  if (STRICT.has(type) && !read.knownFields(body, fields, here)) return none
  if (type === 'header.RegexFilter' && !refuseRegexFilterElse(body, here, read)) return none
  if (!STRICT.has(type)) read.unknownFields(body, fields, here, type)
  // martian's parse.NewResult: each scope names an interface the modifier has (a group has both);
  // without a scope (absent or null: Go's nil slice) it applies on every side it has, and a group
  // passes on what its modifiers do.
  const scope = body.scope
  let request = !RESPONSE_ONLY.has(type)
  let response = !REQUEST_ONLY.has(type)
  if (scope !== undefined && scope !== null) {
    const scopes = Array.isArray(scope) ? scope : []
    if (scopes.length === 0 || scopes.some((s) => s !== 'request' && s !== 'response')) {
      read.fail([...here, 'scope'], `"${type}": "scope" is a list of "request" and "response"`)
      return none
    }
    request = scopes.includes('request')
    response = scopes.includes('response')
    if (response && REQUEST_ONLY.has(type)) {
      read.fail(
        [...here, 'scope'],
        `${type} has no response scope: KrakenD fails to parse it and drops the whole martian config`,
        'use "scope": ["request"]',
      )
      return none
    }
    if (response && !request && type === 'stash.Modifier') {
      read.fail(
        [...here, 'scope'],
        'stash.Modifier on the answer needs the request scope too: KrakenD fails to parse it and drops the whole martian config',
        'use "scope": ["request", "response"]',
      )
      return none
    }
    if (request && type === 'status.Modifier') {
      read.fail(
        [...here, 'scope'],
        'status.Modifier has no request scope: KrakenD fails to parse it and drops the whole martian config',
        'use "scope": ["response"]',
      )
      return none
    }
  }
  switch (type) {
    case 'fifo.Group': {
      const aggregate = body.aggregateErrors
      if (aggregate !== undefined && aggregate !== null && typeof aggregate !== 'boolean')
        read.fail([...here, 'aggregateErrors'], '"aggregateErrors" must be true or false')
      if (!Array.isArray(body.modifiers)) {
        read.fail([...here, 'modifiers'], '"modifiers" must be a list')
        return none
      }
      const children = body.modifiers.map((m, i) => walkModifier(m, [...here, 'modifiers', i], read))
      return {
        request: request ? children.flatMap((c) => c.request) : [],
        response: response ? children.flatMap((c) => c.response) : [],
      }
    }
    case 'priority.Group': {
      if (!Array.isArray(body.modifiers)) {
        read.fail([...here, 'modifiers'], '"modifiers" must be a list')
        return none
      }
      // AddRequestModifier / AddResponseModifier: before the first one of a lower or equal
      // priority, so the higher runs first and, among equals, the later one.
      const ordered: Array<{ priority: number; scoped: Scoped }> = []
      for (const [i, item] of body.modifiers.entries()) {
        const at = [...here, 'modifiers', i]
        if (!isObject(item)) {
          read.fail(at, 'each priority.Group entry is an object with "priority" and "modifier"')
          continue
        }
        const fields = read.canonical(item, ['priority', 'modifier'], at)
        if (fields === undefined || !read.knownFields(fields, ['priority', 'modifier'], at)) continue
        const priority = fields.priority ?? 0
        if (!Number.isSafeInteger(priority)) {
          read.fail([...at, 'priority'], '"priority" must be a whole number')
          continue
        }
        const child = walkModifier(fields.modifier, [...at, 'modifier'], read)
        const entry = { priority: priority as number, scoped: child }
        const before = ordered.findIndex((o) => entry.priority >= o.priority)
        if (before === -1) ordered.push(entry)
        else ordered.splice(before, 0, entry)
      }
      return {
        request: request ? ordered.flatMap((o) => o.scoped.request) : [],
        response: response ? ordered.flatMap((o) => o.scoped.response) : [],
      }
    }
    case 'header.Verifier':
      // It records mismatches in memory, which KrakenD never reads: nothing changes on the wire.
      read.optional(body, 'name', here)
      read.optional(body, 'value', here)
      read.warn(
        here,
        'header.Verifier changes nothing: it only records mismatches in memory, which KrakenD never reads (nor does this runtime)',
        'remove it, or use header.Filter to act on the header',
      )
      return none
    case 'header.Filter':
    case 'querystring.Filter':
    case 'header.RegexFilter':
    case 'url.Filter':
    case 'url.RegexFilter':
    case 'cookie.Filter':
    case 'port.Filter': {
      const condition = filterCondition(type, body, here, read)
      if (body.modifier === undefined) {
        read.fail(
          [...here, 'modifier'],
          `"${type}" needs a "modifier": KrakenD drops the whole martian config without one`,
        )
        return none
      }
      const then = walkModifier(body.modifier, [...here, 'modifier'], read)
      const otherwise = body.else === undefined ? none : walkModifier(body.else, [...here, 'else'], read)
      const filter = (side: 'request' | 'response'): MartianStep[] => {
        const when = then[side]
        const unless = otherwise[side]
        // port.Filter reads the host's port even with nothing to run, and may fail the call there.
        return when.length === 0 && unless.length === 0 && type !== 'port.Filter'
          ? []
          : [{ kind: 'filter', ...condition, matched: when, unmatched: unless }]
      }
      return { request: request ? filter('request') : [], response: response ? filter('response') : [] }
    }
    default: {
      const step = modifierStep(type, body, here, response, read)
      if (step === undefined) return none
      return { request: request ? [step] : [], response: response ? [step] : [] }
    }
  }
}

/**
 * martian's header.RegexFilter reads no `else`: KrakenD neither parses nor runs one. Its modifiers would
 * never run, and an `else` is how a header gets stripped from what the regexp misses, so it is refused
 * rather than ignored. False when refused.
 */
function refuseRegexFilterElse(body: Record<string, unknown>, at: KeyPath, read: MartianReader): boolean {
  const key = Object.keys(body).find((k) => fold(k) === 'else')
  if (key === undefined) return true
  read.fail(
    [...at, key],
    'header.RegexFilter has no "else" in the martian KrakenD CE 2.13.8 builds: KrakenD ignores it, so its modifiers would never run',
    'remove "else"; for an else branch use header.Filter (an exact value) or url.RegexFilter, which have one',
  )
  return false
}
