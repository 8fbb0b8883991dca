/** Endpoint paths as gin's router registers them: syntax, reserved paths, duplicates and conflicts. */
import { formatKeyPath, type KeyPath } from '../../core/source-text.ts'
import { GinRouteError, GinTree } from '../gin-tree.ts'
import { ginRoutePath } from '../router.ts'
import type { ProblemAt } from './field-reader.ts'

/** Reserved paths the gateway answers itself; no endpoint may use them. */
export const RESERVED_PATHS = ['/__health', '/__debug', '/__echo'] as const

export const PARAM = /\{([^{}]+)\}/g

/** lura's invalidPattern, on the path as written: `/a/__health`, `/__echo/x`, `/__health/..`. */
const LURA_RESERVED = /\/__(debug|echo|health)(\/.*)?$/

/**
 * Checks each endpoint's route against the ones checked before it: a route gin cannot register
 * (bad syntax, reserved, declared twice, conflicting wildcard) is an error at the endpoint's path.
 */
export function createRouteChecker(healthPath: string, error: ProblemAt) {
  const seen = new Map<string, string>()
  const paramNames = new Map<string, { name: string; at: string }>()
  const trees = new Map<string, GinTree<string>>()
  const health = healthPath === '' ? undefined : ginRoutePath(healthPath)
  return (ep: KeyPath, method: string, path: string, label: string): void => {
    const pathProblem = checkEndpointPath(path)
    if (pathProblem) error([...ep, 'endpoint'], `endpoint ${label}: ${pathProblem}`)
    if (LURA_RESERVED.test(path))
      error(
        [...ep, 'endpoint'],
        `endpoint ${label}: ${path} is reserved for the gateway itself (KrakenD refuses a path that ends in /__health, /__debug or /__echo, or goes on after one)`,
        'choose another path',
      )
    else if (method === 'GET' && ginRoutePath(path) === health)
      error(
        [...ep, 'endpoint'],
        `endpoint ${label}: ${path} is the health path (router.health_path ${healthPath}); gin cannot register both and KrakenD does not start`,
        'choose another path, or move router.health_path',
      )
    // gin registers the path joined to "/": `/a/{x}/.` is `/a/{x}`, `/a//b` is `/a/b`.
    const routed = ginRoutePath(path)
    const key = `${method} ${normalisePattern(routed)}`
    const first = seen.get(key)
    if (first)
      error(
        [...ep, 'endpoint'],
        `endpoint ${label} is declared twice (first at ${first})${routed === path ? '' : `: gin registers ${path} at ${routed}`}`,
        'remove or merge one of them',
      )
    else seen.set(key, formatKeyPath(ep))
    const conflict = wildcardConflict(method, routed, path, paramNames)
    if (conflict && !first)
      error(
        [...ep, 'endpoint'],
        `endpoint ${label}: {${conflict.name}} is where ${conflict.at} has {${conflict.other}}; gin cannot register both and KrakenD does not start`,
        `name the parameter {${conflict.other}} as ${conflict.at} does`,
      )
    // Whatever else gin panics on (a `:name` written in the path beside a {param}...).
    if (!pathProblem && !first && !conflict) {
      const tree = trees.get(method) ?? new GinTree<string>()
      trees.set(method, tree)
      const problem = ginRefusal(tree, path)
      if (problem)
        error(
          [...ep, 'endpoint'],
          `endpoint ${label}: gin cannot register it (${problem}) and KrakenD does not start`,
        )
    }
  }
}

/** gin's panic when `tree` takes the endpoint's route, as text; undefined when it takes it. */
function ginRefusal(tree: GinTree<string>, endpoint: string): string | undefined {
  try {
    tree.add(Buffer.from(ginRoutePath(endpoint.replace(PARAM, ':$1')), 'utf8').toString('latin1'), endpoint)
    return undefined
  } catch (problem) {
    if (!(problem instanceof GinRouteError)) throw problem
    return Buffer.from(problem.message, 'latin1').toString('utf8')
  }
}

/**
 * With auto_options, lura registers OPTIONS once per endpoint path as written (`{x}` as `:x`) in
 * one gin tree: paths another method's tree takes apart (`/{a}` on GET, `/{b}` on POST; `/u` and
 * `/u/.`) make gin panic there, and KrakenD does not start.
 */
export function checkOptionsRoutes(endpoints: ReadonlyArray<{ endpoint: string }>, error: ProblemAt): void {
  const tree = new GinTree<string>()
  const seen = new Set<string>()
  for (const [i, { endpoint }] of endpoints.entries()) {
    const written = endpoint.replace(PARAM, ':$1')
    if (seen.has(written)) continue
    seen.add(written)
    const problem = ginRefusal(tree, endpoint)
    if (problem)
      error(
        ['endpoints', i, 'endpoint'],
        `endpoint ${endpoint}: router.auto_options registers OPTIONS on every endpoint path in one tree, where gin cannot add it (${problem}) and KrakenD does not start`,
        'name the parameters at one position alike across methods, or turn auto_options off',
      )
  }
}

/** The route's shape: gin tells `/a` and `/a/` apart, and parameters by position only. */
function normalisePattern(path: string): string {
  return path.replace(PARAM, '{}')
}

/**
 * gin's tree keeps one wildcard per position in a method's routes: `/a/{x}` and `/a/{y}/b` make it
 * panic ("conflicts with existing wildcard"). Records each parameter's name by method and prefix.
 */
function wildcardConflict(
  method: string,
  path: string,
  written: string,
  names: Map<string, { name: string; at: string }>,
): { name: string; other: string; at: string } | undefined {
  const segments = path.split('/')
  for (const [i, segment] of segments.entries()) {
    const param = /^\{([^{}]+)\}$/.exec(segment)?.[1]
    if (param === undefined) continue
    const prefix = `${method} ${normalisePattern(segments.slice(0, i).join('/'))}/`
    const known = names.get(prefix)
    if (!known) names.set(prefix, { name: param, at: written })
    else if (known.name !== param) return { name: param, other: known.name, at: known.at }
  }
  return undefined
}

function checkEndpointPath(path: string): string | undefined {
  if (/[?#%\s]/.test(path)) return 'the path may not contain "?", "#", "%" or spaces'
  // lura refuses a `*` with anything after it; gin panics on one that ends the path (it has no name).
  if (path.includes('*'))
    return 'the path may not contain "*" (KrakenD CE has no wildcard endpoints and does not start)'
  for (const segment of path.split('/')) {
    const opens = segment.split('{').length - 1
    const closes = segment.split('}').length - 1
    if (opens !== closes) return `unbalanced braces in "${segment}"`
    if (opens > 1) return `only one {param} per path segment is supported ("${segment}")`
    if (opens === 1 && !/^\{[A-Za-z_][A-Za-z0-9_-]*\}$/.test(segment))
      return `a {param} must fill the whole path segment and be a plain name ("${segment}")`
  }
  const names = [...path.matchAll(PARAM)].map((m) => m[1] as string)
  const repeated = names.find((name, i) => names.indexOf(name) !== i)
  if (repeated !== undefined)
    return `{${repeated}} appears twice in the path: the second value would silently replace the first`
  // gin's own wildcards written in the path (`/x:y/z:y`), each running to the next `/`: lura's
  // paramChecker reads both values, where this runtime keeps one per name.
  const wildcards = [...path.replace(PARAM, ':$1').matchAll(/:([^/]*)/g)].map((m) => m[1] as string)
  const twice = wildcards.find((name, i) => wildcards.indexOf(name) !== i)
  if (twice !== undefined)
    return `the parameter "${twice}" appears twice in gin's route (${path.replace(PARAM, ':$1')}): this runtime would check only one of its values`
  return undefined
}
