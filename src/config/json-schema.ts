import { z } from 'zod'
import { gwConfigSchema } from './schema.ts'

const SCHEMA_ID = 'https://gwdeploy.dev/schema/gwdeploy.schema.json'

export type JsonSchema = {
  properties?: Record<string, JsonSchema>
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  [key: string]: unknown
}

let cached: JsonSchema | undefined

/** JSON Schema of gwdeploy.yml (what users write: input types, durations as strings). */
export function gwConfigJsonSchema(): JsonSchema {
  cached ??= {
    ...(z.toJSONSchema(gwConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema),
    $id: SCHEMA_ID,
    title: 'gwdeploy.yml',
  }
  return cached
}

/** The keys allowed at a key path, read from the JSON Schema (for "did you mean"). */
export function knownKeysAt(path: ReadonlyArray<string | number>): string[] {
  let nodes: JsonSchema[] = [gwConfigJsonSchema()]
  const expand = (list: JsonSchema[]): JsonSchema[] =>
    list.flatMap((node) => [node, ...expand([...(node.anyOf ?? []), ...(node.oneOf ?? [])])])
  for (const part of path) {
    nodes = expand(nodes).flatMap((node) => {
      if (typeof part === 'number') return node.items ? [node.items] : []
      const child = node.properties?.[part]
      return child ? [child] : []
    })
  }
  return [...new Set(expand(nodes).flatMap((node) => Object.keys(node.properties ?? {})))].filter(
    (k) => k !== '$schema',
  )
}
