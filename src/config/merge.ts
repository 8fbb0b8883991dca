const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** Overlay semantics: mappings merge key by key, everything else (lists included) is replaced. */
export function deepMerge(base: unknown, overlay: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overlay)) return overlay === undefined ? base : overlay
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(overlay)) out[key] = deepMerge(base[key], value)
  return out
}

export function hasPath(value: unknown, path: ReadonlyArray<string | number>): boolean {
  let node = value
  for (const part of path) {
    if (node === null || typeof node !== 'object' || !(part in (node as object))) return false
    node = (node as Record<string | number, unknown>)[part]
  }
  return true
}
