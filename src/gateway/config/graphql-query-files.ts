// backend/graphql `query_path`: lura reads the file at start and its text replaces `query`. Here it
// is read when the config is loaded (relative to the working directory, as KrakenD reads it; a
// release reads it relative to the config's directory, KrakenD's working directory in its image)
// and written into `query`, so a stamped release carries the query itself and needs no file.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { goKeyOrder, jsonFold } from '../../config/json-keys.ts'
import type { KeyPath } from '../../core/source-text.ts'
import { isObject } from '../components/types.ts'

const GRAPHQL_LONG_NAME = 'github.com/devopsfaith/krakend/transport/http/client/graphql'

export interface QueryFileProblem {
  path: KeyPath
  message: string
  hint: string
}

/** Replaces every backend's `query_path` with `query` holding the file's text; returns what failed. */
export function inlineGraphqlQueryFiles(config: unknown, baseDir: string): QueryFileProblem[] {
  const problems: QueryFileProblem[] = []
  if (!isObject(config) || !Array.isArray(config.endpoints)) return problems
  for (const [i, endpoint] of config.endpoints.entries()) {
    if (!isObject(endpoint) || !Array.isArray(endpoint.backend)) continue
    for (const [j, backend] of endpoint.backend.entries()) {
      const extra = isObject(backend) ? backend.extra_config : undefined
      // KrakenD CE reads the long name too, when the short one is absent (namespace-aliases.ts).
      const name =
        isObject(extra) && extra['backend/graphql'] === undefined ? GRAPHQL_LONG_NAME : 'backend/graphql'
      const graphql = isObject(extra) ? extra[name] : undefined
      if (!isObject(graphql)) continue
      // lura decodes the options with encoding/json: "Query_Path" is read as query_path.
      const keys = Object.keys(graphql)
        .filter((key) => jsonFold(key) === 'query_path')
        .sort(goKeyOrder)
      const key = keys[keys.length - 1]
      const queryPath = key === undefined ? undefined : graphql[key]
      if (key === undefined || typeof queryPath !== 'string' || queryPath === '') continue
      const path: KeyPath = ['endpoints', i, 'backend', j, 'extra_config', name, key]
      try {
        graphql.query = readFileSync(resolve(baseDir, queryPath), 'utf8')
        for (const written of keys) delete graphql[written]
      } catch (error) {
        problems.push({
          path,
          message: `cannot read the GraphQL query file "${queryPath}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          hint: "query_path is read relative to the working directory (a release: the gateway config's directory)",
        })
      }
    }
  }
  return problems
}
