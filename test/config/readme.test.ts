import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { gwConfigJsonSchema, type JsonSchema } from '../../src/config/json-schema.ts'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const rows = readme.split('\n').filter((line) => line.startsWith('| `'))

function leafPaths(node: JsonSchema, prefix = ''): string[] {
  const out: string[] = []
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (key === '$schema') continue
    const path = prefix ? `${prefix}.${key}` : key
    if (child.properties) out.push(...leafPaths(child, path))
    else if (child.items?.properties) out.push(...leafPaths(child.items, `${path}[]`))
    else out.push(path)
  }
  return out
}

/** A key is documented by its own row, or by its parent's row naming it (`.leaf` or `leaf`). */
function documented(path: string): boolean {
  if (rows.some((row) => row.includes(`\`${path}\``))) return true
  const cut = path.lastIndexOf('.')
  const parent = path.slice(0, cut)
  const leaf = path.slice(cut + 1)
  return rows.some((row) => {
    const first = row.split('|')[1] ?? ''
    return first.includes(`\`${parent}`) && (row.includes(`\`.${leaf}\``) || row.includes(`\`${leaf}\``))
  })
}

test('the README configuration table documents every key of the schema', () => {
  const missing = leafPaths(gwConfigJsonSchema()).filter((path) => !documented(path))
  assert.deepEqual(missing, [], `README.md "Configuration" lacks: ${missing.join(', ')}`)
})
