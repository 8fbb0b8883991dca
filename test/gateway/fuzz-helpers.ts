// Shared by the seeded fuzz tests: a deterministic generator (the same cases on every run) and a
// record of the objects every request shares, to tell whether a case changed one of them.

/** A linear congruential generator: `next()` in [0, 1), `pick(list)` one of its items. */
export function seededRandom(seed: number) {
  let state = seed
  const next = () => {
    // exact mod 2^31 in int32 arithmetic: in doubles state * 1103515245 passed 2^53 and lost its low
    // bits, so seeds ran into each other's streams
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
    return state / 2147483648
  }
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T
  return { next, pick }
}

const SHARED = [Object, Object.prototype, Array, Array.prototype, Function.prototype, String.prototype]

/** Every own property of the shared objects, with its value or accessors, and their prototypes. */
export const sharedObjects = () =>
  SHARED.map((o) => {
    const properties = Reflect.ownKeys(o).map(
      (key) => [key, Object.getOwnPropertyDescriptor(o, key)] as const,
    )
    return { o, prototype: Object.getPrototypeOf(o), properties }
  })

/** What changed since `before` (a prototype, the set of keys, a value or accessor), or undefined. */
export function changedShared(before: ReturnType<typeof sharedObjects>): string | undefined {
  for (const { o, prototype, properties } of before) {
    if (Object.getPrototypeOf(o) !== prototype) return `the prototype of ${String(o)}`
    const now = Reflect.ownKeys(o)
    if (now.length !== properties.length) return `the keys of ${String(o).slice(0, 40)}`
    for (const [key, d] of properties) {
      const e = Object.getOwnPropertyDescriptor(o, key)
      if (e?.value !== d?.value || e?.get !== d?.get || e?.set !== d?.set)
        return `${String(key)} of ${String(o).slice(0, 40)}`
    }
  }
  return undefined
}
