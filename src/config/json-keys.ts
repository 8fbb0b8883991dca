/**
 * How KrakenD's Go decoders (encoding/json into a struct) match a config's keys: in any case, the
 * last spelling in Go's byte order winning. Shared by the runtime's config reader and the CLI, which
 * reads a few of the gateway config's values (the revoker's port and token_keys) the same way.
 */
/** encoding/json's key matching: ASCII case folding plus the Kelvin sign and long s. */
export const jsonFold = (key: string) => key.replaceAll('\u017f', 's').replaceAll('\u212a', 'k').toLowerCase()

/** Go's byte order of two keys (encoding/json re-encodes a map with its keys sorted so). */
export const goKeyOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

/**
 * The key encoding/json decodes into the field `field` (lower case) from a map KrakenD re-encoded
 * with sorted keys: the last key in Go's byte order that folds to it wins (`Check_Expr` is read).
 */
export const jsonFoldedKey = (obj: Record<string, unknown>, field: string): string | undefined =>
  Object.keys(obj)
    .filter((key) => jsonFold(key) === field)
    .sort(goKeyOrder)
    .at(-1)

/** The value of `jsonFoldedKey`'s key. */
export const jsonFoldedValue = (obj: Record<string, unknown>, field: string): unknown => {
  const key = jsonFoldedKey(obj, field)
  return key === undefined ? undefined : obj[key]
}
