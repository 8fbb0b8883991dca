/**
 * The deny paths lura would ever apply beside an allow list: none (it applies allow alone), and a
 * deny path the allow list keeps is refused by this runtime (it would leak). Those related to an
 * allowed path (the same field, inside it or over it) are dropped, so the draw stays servable.
 */
export function denyOutsideAllow(allow: string[], deny: string[]): string[] {
  const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)
  return deny.filter((d) => !allow.some((a) => related(d, a)))
}

/** Encoding names lura knows other than json (it lower-cases them); any other name decodes as JSON. */
const OTHER_ENCODINGS = ['safejson', 'string', 'xml', 'rss', 'no-op']

/** An is_collection backend's collection to lura's deny and krakend/flatmap: a list (JSON) or xml's mxj.Map. */
function collectionKind(b: Record<string, unknown>): 'list' | 'xml' | undefined {
  if (b.is_collection !== true || b.target !== undefined) return undefined
  // lura reads the name lower-cased
  const named = typeof b.encoding === 'string' ? b.encoding.toLowerCase() : 'json'
  const encoding = OTHER_ENCODINGS.includes(named) ? named : 'json'
  return encoding === 'xml' ? 'xml' : encoding === 'json' ? 'list' : undefined
}

const goesInto = (path: string, into: string[], wildcards: boolean) => {
  const keys = path.split('.')
  return keys.length > into.length && into.every((k, i) => keys[i] === k || (wildcards && keys[i] === '*'))
}

type Op = { type?: unknown; args?: unknown }
const opGoesInto = (op: Op, intos: string[][]) =>
  Array.isArray(op.args) &&
  op.args.some((a) => typeof a === 'string' && intos.some((into) => goesInto(a, into, true)))

/**
 * What this runtime refuses on a backend (src/gateway/config/collection-paths.ts: lura would skip it,
 * leaving the field in) is dropped from a draw: deny paths into an is_collection backend's collection,
 * flatmap operations into an xml one's.
 */
export function dropPathsIntoCollection(b: Record<string, unknown>): void {
  const kind = collectionKind(b)
  if (!kind) return
  if (Array.isArray(b.deny)) {
    b.deny = b.deny.filter((p) => !goesInto(String(p), ['collection'], false))
    if ((b.deny as unknown[]).length === 0) delete b.deny
  }
  const proxy = (b.extra_config as { proxy?: { flatmap_filter?: Op[] } } | undefined)?.proxy
  if (kind === 'xml' && proxy && Array.isArray(proxy.flatmap_filter)) {
    proxy.flatmap_filter = proxy.flatmap_filter.filter((op) => !opGoesInto(op, [['collection']]))
    if (proxy.flatmap_filter.length === 0) delete proxy.flatmap_filter
  }
}

/** An endpoint's flatmap operations but those into an xml collection of its backends (after mapping and group). */
export function endpointOpsOutsideCollections<T extends Op>(
  ops: T[],
  backends: Array<Record<string, unknown>>,
): T[] {
  const intos = backends
    .filter((b) => collectionKind(b) === 'xml')
    .map((b) => {
      const flat = (b.extra_config as { proxy?: { flatmap_filter?: unknown } } | undefined)?.proxy
        ?.flatmap_filter
      const mapped = (b.mapping as Record<string, string> | undefined)?.collection?.split('.')[0]
      const name = flat === undefined && mapped !== undefined ? mapped : 'collection'
      return typeof b.group === 'string' ? [b.group, name] : [name]
    })
  return intos.length === 0 ? ops : ops.filter((op) => !opGoesInto(op, intos))
}
