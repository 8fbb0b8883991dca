/**
 * JSON.stringify for parsed config data (null, booleans, numbers, strings, arrays, plain objects)
 * without recursion. KrakenD reads configs nested up to 10,000 levels; V8's JSON.stringify and any
 * recursive walk run out of stack near 6,000, so the stamp writes and digests configs with this.
 * The output equals JSON.stringify(value, null, indent) (undefined members left out, undefined items
 * written null); with `sortKeys`, object keys come in code-unit order at every level.
 */
export interface JsonTextOptions {
  indent?: number
  sortKeys?: boolean
}

interface OpenContainer {
  close: string
  /** Object members as [key, value]; array items with a null key. */
  members: [string | null, unknown][]
  next: number
  depth: number
}

const byKey = ([a]: [string | null, unknown], [b]: [string | null, unknown]) =>
  (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0

export function stringifyJson(value: unknown, options: JsonTextOptions = {}): string {
  return stringifyJsonWithin(value, options, Number.POSITIVE_INFINITY) as string
}

/** As stringifyJson, or undefined once the text would grow past `maxLength` UTF-16 units. */
export function stringifyJsonWithin(
  value: unknown,
  options: JsonTextOptions,
  maxLength: number,
): string | undefined {
  const unit = ' '.repeat(options.indent ?? 0)
  const newline = (depth: number) => (unit ? `\n${unit.repeat(depth)}` : '')
  const colon = unit ? ': ' : ':'
  const out: string[] = []
  const stack: OpenContainer[] = []
  let length = 0
  const push = (text: string) => {
    length += text.length
    out.push(text)
  }

  const open = (item: unknown, depth: number): void => {
    if (item === null || typeof item !== 'object') {
      push(JSON.stringify(item) ?? 'null')
      return
    }
    const isArray = Array.isArray(item)
    const members: [string | null, unknown][] = isArray
      ? item.map((entry) => [null, entry])
      : Object.entries(item as Record<string, unknown>).filter(([, entry]) => entry !== undefined)
    if (options.sortKeys && !isArray) members.sort(byKey)
    const [start, close] = isArray ? ['[', ']'] : ['{', '}']
    if (members.length === 0) {
      push(start + close)
      return
    }
    push(start)
    stack.push({ close, members, next: 0, depth })
  }

  open(value, 0)
  for (let top = stack.at(-1); top && length <= maxLength; top = stack.at(-1)) {
    const member = top.members[top.next]
    if (!member) {
      stack.pop()
      push(newline(top.depth) + top.close)
      continue
    }
    if (top.next > 0) push(',')
    top.next += 1
    const [key, item] = member
    push(newline(top.depth + 1))
    if (key !== null) push(JSON.stringify(key) + colon)
    open(item, top.depth + 1)
  }
  return length > maxLength ? undefined : out.join('')
}
