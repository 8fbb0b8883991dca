// An `is_collection` backend's answer is {"collection": ...}: a []interface{} for JSON, which lura's
// deny never walks into (it walks maps only), and for xml krakend-xml's mxj.Map, a named map type that
// neither lura's deny nor krakend/flatmap walk into (they assert map[string]interface{}). A `deny` path or
// a flatmap operation that goes into it is silently skipped there, leaving the field in the answer:
// refused, as every response manipulation KrakenD would skip. (An `allow` path into it makes lura drop
// the whole collection, as this runtime does: a warning.)
import type { KeyPath } from '../../core/source-text.ts'
import type { FlatmapOp } from '../flatmap.ts'
import type { FieldReader } from './field-reader.ts'
import type { BackendConfig } from './types.ts'

/**
 * Where an is_collection backend's collection sits in its answer, at the backend or after its mapping
 * and group; `xmlOnly`: only krakend-xml's mxj.Map (flatmap walks a JSON collection's list).
 */
function collectionPath(b: BackendConfig, atEndpoint: boolean, xmlOnly: boolean): string[] | undefined {
  // a target replaces the answer first (a target into the collection gives {})
  const kind = b.encoding === 'xml' || (!xmlOnly && b.encoding === 'json')
  if (!b.isCollection || b.target || !kind) return undefined
  if (!atEndpoint) return ['collection']
  // lura's mapping renames top-level keys to the first segment of the new name
  const name = b.flatmap ? 'collection' : (b.mapping?.collection?.split('.')[0] ?? 'collection')
  return b.group ? [b.group, name] : [name]
}

/** Whether `path` goes through `into` to something inside it (in flatmap's paths `*` matches any key). */
const goesInto = (path: string[], into: string[], wildcards = false) =>
  path.length > into.length && into.every((key, i) => path[i] === key || (wildcards && path[i] === '*'))

const INTO_XML =
  'goes into the xml collection, which KrakenD never walks into (krakend-xml makes it an mxj.Map, not a map[string]interface{})'
const INTO_LIST = "goes into the collection, a list lura's allow and deny never walk into"

/** A backend's own deny, allow and flatmap_filter paths. */
export function checkCollectionPaths(b: BackendConfig, bp: KeyPath, what: string, fields: FieldReader): void {
  const into = collectionPath(b, false, false)
  if (!into) return
  const skipped = b.encoding === 'xml' ? INTO_XML : INTO_LIST
  for (const [i, path] of (b.deny ?? []).entries())
    if (goesInto(path.split('.'), into))
      fields.error(
        [...bp, 'deny', i],
        `${what}: deny "${path}" ${skipped}: the field would reach the client`,
        b.encoding === 'xml'
          ? 'deny the whole "collection", or decode the backend without is_collection'
          : 'remove those fields with flatmap "del" operations (they walk lists), or deny the whole "collection"',
      )
  for (const [i, path] of (b.allow ?? []).entries())
    if (goesInto(path.split('.'), into))
      fields.warn(
        [...bp, 'allow', i],
        `${what}: allow "${path}" ${skipped}: it drops the whole collection`,
        'allow "collection" whole',
      )
  if (b.flatmap && b.encoding === 'xml')
    checkOperations(b.flatmap, [into], [...bp, 'extra_config', 'proxy'], what, fields)
}

/** An endpoint's flatmap_filter, run over the merged answers of `backends`. */
export function checkEndpointCollectionPaths(
  ops: FlatmapOp[],
  backends: BackendConfig[],
  pp: KeyPath,
  what: string,
  fields: FieldReader,
): void {
  const intos = backends.map((b) => collectionPath(b, true, true)).filter((p) => p !== undefined)
  if (intos.length > 0) checkOperations(ops, intos, pp, what, fields)
}

/** flatmap operations over xml collections at `intos`. */
function checkOperations(
  ops: FlatmapOp[],
  intos: string[][],
  pp: KeyPath,
  what: string,
  fields: FieldReader,
) {
  for (const [i, op] of ops.entries())
    for (const [k, arg] of op.args.entries())
      if (intos.some((into) => goesInto(arg, into, true)))
        fields.error(
          [...pp, 'flatmap_filter', i, 'args', k],
          `${what}: flatmap ${op.type} "${arg.join('.')}" ${INTO_XML}: KrakenD skips the operation${op.type === 'del' ? ', so the field would reach the client' : ''}`,
          'operate on the whole "collection", or decode the backend without is_collection',
        )
}
