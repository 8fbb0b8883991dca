import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml'
import { configError, type Location, type Problem } from './errors.ts'

export type KeyPath = ReadonlyArray<string | number>

/** A parsed YAML or JSON document that can say where any key path sits in its source text. */
export interface SourceDocument {
  file: string
  value: unknown
  /** file:line:column of the key at `path` (or of the nearest ancestor that exists). */
  locate(path: KeyPath): Location
}

/** `a.b[2].c` */
export function formatKeyPath(path: KeyPath): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out ? `.${part}` : part
  }
  return out
}

/**
 * Parses YAML (JSON is YAML too) keeping positions, so errors can name file:line:column.
 * Syntax errors become one configError listing every problem.
 */
export function parseSourceDocument(text: string, file: string): SourceDocument {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const problems: Problem[] = doc.errors.map((error) => {
      const pos = lineCounter.linePos(error.pos[0])
      return {
        message: error.message.split('\n')[0] ?? error.message,
        location: { file, line: pos.line, column: pos.col },
      }
    })
    throw configError(`${file} is not valid YAML/JSON`, {
      problems,
      hint: 'Fix the syntax at the positions above.',
    })
  }
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown

  const positionOf = (node: Node | null | undefined, keyNode?: unknown): Location => {
    const range = (isScalar(keyNode) ? keyNode.range : undefined) ?? node?.range
    if (!range) return { file }
    const { line, col } = lineCounter.linePos(range[0])
    return { file, line, column: col }
  }

  const locate = (path: KeyPath): Location => {
    let node: unknown = doc.contents
    let location = positionOf(doc.contents as Node | null)
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part))
        if (!pair) break
        location = positionOf(pair.value as Node | null, pair.key)
        node = pair.value
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part] as Node | undefined
        if (!item) break
        location = positionOf(item)
        node = item
      } else break
    }
    const keyPath = formatKeyPath(path)
    return keyPath ? { ...location, path: keyPath } : location
  }

  return { file, value, locate }
}
