/**
 * table.sort as gopher-lua sorts: Go's sort.Sort (pattern-defeating quicksort, insertion sort up
 * to 12 items, heapsort after too many bad pivots) over the table's array part, each Less the
 * script's comparator or gopher-lua's lessThan. The same algorithm makes the same calls, so ties and
 * an inconsistent comparator leave the items where KrakenD leaves them (5.3's quicksort put ties
 * elsewhere and failed an inconsistent comparator with 'invalid order function for sorting'); a
 * nil among the items fails as there: '<string>:N: attempt to compare nil with number'.
 */
import type { LuaState } from 'fengari'
import type { LuaEngine } from './lua-engine.ts'
import { gopherArgs } from './lua-gopher-args.ts'

/** What sort.Sort works on: a length and Less/Swap by 0-based index. */
interface Sortable {
  less(i: number, j: number): boolean
  swap(i: number, j: number): void
}

const MAX_INSERTION = 12

/** Go's sort.Sort on `n` items. */
export function goSort(data: Sortable, n: number): void {
  if (n > 1) pdqsort(data, 0, n, 32 - Math.clz32(n))
}

function insertionSort(data: Sortable, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) for (let j = i; j > a && data.less(j, j - 1); j--) data.swap(j, j - 1)
}

function siftDown(data: Sortable, lo: number, hi: number, first: number): void {
  let root = lo
  for (;;) {
    let child = 2 * root + 1
    if (child >= hi) return
    if (child + 1 < hi && data.less(first + child, first + child + 1)) child++
    if (!data.less(first + root, first + child)) return
    data.swap(first + root, first + child)
    root = child
  }
}

function heapSort(data: Sortable, a: number, b: number): void {
  const hi = b - a
  for (let i = Math.floor((hi - 1) / 2); i >= 0; i--) siftDown(data, i, hi, a)
  for (let i = hi - 1; i >= 0; i--) {
    data.swap(a, a + i)
    siftDown(data, 0, i, a)
  }
}

type Hint = 'unknown' | 'increasing' | 'decreasing'

function pdqsort(data: Sortable, from: number, to: number, badPivots: number): void {
  let [a, b, limit] = [from, to, badPivots]
  let wasBalanced = true
  let wasPartitioned = true
  for (;;) {
    const length = b - a
    if (length <= MAX_INSERTION) {
      insertionSort(data, a, b)
      return
    }
    if (limit === 0) {
      heapSort(data, a, b)
      return
    }
    if (!wasBalanced) {
      breakPatterns(data, a, b)
      limit--
    }
    let [pivot, hint] = choosePivot(data, a, b)
    if (hint === 'decreasing') {
      reverseRange(data, a, b)
      pivot = b - 1 - (pivot - a)
      hint = 'increasing'
    }
    if (wasBalanced && wasPartitioned && hint === 'increasing' && partialInsertionSort(data, a, b)) return
    // Many items equal to the one before this range: those equal to the pivot go first, done.
    if (a > 0 && !data.less(a - 1, pivot)) {
      a = partitionEqual(data, a, b, pivot)
      continue
    }
    const [mid, alreadyPartitioned] = partition(data, a, b, pivot)
    wasPartitioned = alreadyPartitioned
    const threshold = Math.floor(length / 8)
    if (mid - a < b - mid) {
      wasBalanced = mid - a >= threshold
      pdqsort(data, a, mid, limit)
      a = mid + 1
    } else {
      wasBalanced = b - mid >= threshold
      pdqsort(data, mid + 1, b, limit)
      b = mid
    }
  }
}

/** Items below the pivot's before it, the others after; whether nothing had to move. */
function partition(data: Sortable, a: number, b: number, pivot: number): [number, boolean] {
  data.swap(a, pivot)
  let i = a + 1
  let j = b - 1
  while (i <= j && data.less(i, a)) i++
  while (i <= j && !data.less(j, a)) j--
  if (i > j) {
    data.swap(j, a)
    return [j, true]
  }
  data.swap(i++, j--)
  for (;;) {
    while (i <= j && data.less(i, a)) i++
    while (i <= j && !data.less(j, a)) j--
    if (i > j) break
    data.swap(i++, j--)
  }
  data.swap(j, a)
  return [j, false]
}

function partitionEqual(data: Sortable, a: number, b: number, pivot: number): number {
  data.swap(a, pivot)
  let i = a + 1
  let j = b - 1
  for (;;) {
    while (i <= j && !data.less(a, i)) i++
    while (i <= j && data.less(a, j)) j--
    if (i > j) return i
    data.swap(i++, j--)
  }
}

/** Shifts at most 5 out-of-order pairs (on 50 items or more); whether the range is sorted then. */
function partialInsertionSort(data: Sortable, a: number, b: number): boolean {
  let i = a + 1
  for (let step = 0; step < 5; step++) {
    while (i < b && !data.less(i, i - 1)) i++
    if (i === b) return true
    if (b - a < 50) return false
    data.swap(i, i - 1)
    if (i - a >= 2) for (let j = i - 1; j >= 1 && data.less(j, j - 1); j--) data.swap(j, j - 1)
    if (b - i >= 2) for (let j = i + 1; j < b && data.less(j, j - 1); j++) data.swap(j, j - 1)
  }
  return false
}

const UINT64 = (1n << 64n) - 1n

/** Go's breakPatterns: three items near the middle swapped with xorshift-chosen ones. */
function breakPatterns(data: Sortable, a: number, b: number): void {
  const length = b - a
  if (length < 8) return
  let random = BigInt(length)
  const modulus = BigInt(2 ** (32 - Math.clz32(length)))
  const middle = a + Math.floor(length / 4) * 2
  for (let index = middle - 1; index <= middle + 1; index++) {
    random ^= (random << 13n) & UINT64
    random ^= random >> 7n
    random ^= (random << 17n) & UINT64
    let other = Number(random & (modulus - 1n))
    if (other >= length) other -= length
    data.swap(index, a + other)
  }
}

function choosePivot(data: Sortable, a: number, b: number): [number, Hint] {
  const length = b - a
  const quarter = Math.floor(length / 4)
  const swaps = { count: 0 }
  let [i, j, k] = [a + quarter, a + quarter * 2, a + quarter * 3]
  if (length >= 8) {
    if (length >= 50) {
      i = median(data, i - 1, i, i + 1, swaps)
      j = median(data, j - 1, j, j + 1, swaps)
      k = median(data, k - 1, k, k + 1, swaps)
    }
    j = median(data, i, j, k, swaps)
  }
  return [j, swaps.count === 0 ? 'increasing' : swaps.count === 12 ? 'decreasing' : 'unknown']
}

function median(data: Sortable, x: number, y: number, z: number, swaps: { count: number }): number {
  const order = (p: number, q: number): [number, number] => {
    if (!data.less(q, p)) return [p, q]
    swaps.count++
    return [q, p]
  }
  let [a, b, c] = [x, y, z]
  ;[a, b] = order(a, b)
  ;[b, c] = order(b, c)
  ;[a, b] = order(a, b)
  return b
}

function reverseRange(data: Sortable, a: number, b: number): void {
  for (let i = a, j = b - 1; i < j; i++, j--) data.swap(i, j)
}

/** Installs table.sort (after the table library is open). */
export function installGopherSort(e: Pick<LuaEngine, 'f' | 'L' | 's'>): void {
  const { lua } = e.f
  const L = e.L
  const { typeName, fail, checkTable } = gopherArgs(e.f)
  const sort = (state: LuaState) => {
    checkTable(state, 'sort')
    const comparator = lua.lua_gettop(state) !== 1
    if (comparator && lua.lua_type(state, 2) !== lua.LUA_TFUNCTION)
      fail(state, `bad argument #2 to sort (function expected, got ${typeName(state, 2)})`)
    lua.lua_settop(state, 2)
    const n = lua.lua_rawlen(state, 1)
    goSort(
      {
        less(i, j) {
          if (comparator) lua.lua_pushvalue(state, 2)
          lua.lua_rawgeti(state, 1, i + 1)
          lua.lua_rawgeti(state, 1, j + 1)
          if (comparator) {
            lua.lua_call(state, 2, 1)
            const less = lua.lua_toboolean(state, -1)
            lua.lua_pop(state, 1)
            return less
          }
          const left = lua.lua_type(state, -2)
          const right = lua.lua_type(state, -1)
          // gopher-lua's lessThan: numbers and strings compare, two tables or userdata by __lt.
          const comparable =
            left === right &&
            (left === lua.LUA_TNUMBER ||
              left === lua.LUA_TSTRING ||
              left === lua.LUA_TTABLE ||
              left === lua.LUA_TUSERDATA)
          if (!comparable)
            fail(state, `attempt to compare ${typeName(state, -2)} with ${typeName(state, -1)}`)
          const less = lua.lua_compare(state, -2, -1, lua.LUA_OPLT)
          lua.lua_pop(state, 2)
          return Boolean(less)
        },
        swap(i, j) {
          lua.lua_rawgeti(state, 1, i + 1)
          lua.lua_rawgeti(state, 1, j + 1)
          lua.lua_rawseti(state, 1, i + 1)
          lua.lua_rawseti(state, 1, j + 1)
        },
      },
      n,
    )
    return 0
  }
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  if (lua.lua_getfield(L, -1, e.s('table')) === lua.LUA_TTABLE) {
    lua.lua_pushjsfunction(L, sort)
    lua.lua_setfield(L, -2, e.s('sort'))
  }
  lua.lua_pop(L, 2)
}
