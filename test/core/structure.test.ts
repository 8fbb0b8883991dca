/** The engine's shape (issue 14): no import cycle in src/core, no function over 80 lines in the release engine. */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const CORE = fileURLToPath(new URL('../../src/core/', import.meta.url))

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return tsFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Relative imports (static, type-only and dynamic) of one file, resolved to paths. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8')
  const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
    (m) => m[1] as string,
  )
  return specifiers.map((s) => resolve(dirname(file), s.endsWith('.ts') ? s : `${s}.ts`))
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>()
  const stack: string[] = []
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node]
    state.set(node, 'visiting')
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next)
      if (cycle) return cycle
    }
    stack.pop()
    state.set(node, 'done')
    return undefined
  }
  for (const node of graph.keys()) {
    const cycle = visit(node)
    if (cycle) return cycle
  }
  return undefined
}

describe('src/core structure', () => {
  it('has no import cycle', () => {
    const files = tsFiles(CORE)
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((i) => i.startsWith(CORE))]))
    assert.ok(graph.size > 20, 'the walk found the core files')
    const cycle = findCycle(graph)
    assert.equal(cycle, undefined, `import cycle: ${cycle?.map((f) => f.slice(CORE.length)).join(' -> ')}`)
  })

  it('release, rollback and promote are compositions that never import each other', () => {
    const graph = new Map(tsFiles(CORE).map((f) => [f, importsOf(f)]))
    const closure = (start: string) => {
      const seen = new Set<string>()
      const stack = [start]
      while (stack.length) {
        const next = stack.pop() as string
        for (const dep of graph.get(next) ?? []) if (!seen.has(dep)) seen.add(dep) && stack.push(dep)
      }
      return seen
    }
    const compositions = ['release', 'rollback', 'promote'].map((name) => join(CORE, 'release', `${name}.ts`))
    for (const from of compositions) {
      const reached = closure(from)
      for (const other of compositions) {
        if (other !== from)
          assert.ok(!reached.has(other), `${from.slice(CORE.length)} imports ${other.slice(CORE.length)}`)
      }
    }
  })

  it('the cycle check finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
    ])
    assert.deepEqual(findCycle(graph), ['a', 'b', 'c', 'a'])
  })

  it('no function of the release engine is over 80 lines', () => {
    const long: string[] = []
    for (const file of tsFiles(join(CORE, 'release'))) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
      const walk = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const start = source.getLineAndCharacterOfPosition(node.getStart()).line
          const end = source.getLineAndCharacterOfPosition(node.getEnd()).line
          if (end - start + 1 > 80)
            long.push(`${file.slice(CORE.length)}:${start + 1} (${end - start + 1} lines)`)
        }
        ts.forEachChild(node, walk)
      }
      walk(source)
    }
    assert.deepEqual(long, [])
  })
})
