/**
 * A stored release record read back: valid JSON edited by hand into something that is no record
 * gwdeploy wrote must not reach `history`, `status` or the rollback decisions as if it were one.
 * Every store (directory, ConfigMaps, SSM) parses with `parseRecord`; what throws is named as
 * unreadable by the store and left out.
 */
import { RECORD_OPERATIONS, RECORD_STATUSES } from '../core/history.ts'
import { offsetToLineColumn } from '../core/json-locate.ts'
import { jsonSyntaxErrorOffset } from '../core/json-syntax.ts'
import type { ReleaseRecord } from './types.ts'

const OPERATIONS = new Set<string>(RECORD_OPERATIONS)
const STATUSES = new Set<string>(RECORD_STATUSES)

/** The record `text` holds, with any store-specific fields (aws: `configGzip`) still in it. */
export function parseRecord<T extends object = ReleaseRecord>(text: string): T & ReleaseRecord {
  const parsed = parseJson(text)
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('not a JSON object')
  const record = parsed as Record<string, unknown>
  const bad = [
    typeof record.time !== 'string' || Number.isNaN(Date.parse(record.time)) ? 'time' : undefined,
    !OPERATIONS.has(record.operation as string) ? 'operation' : undefined,
    !STATUSES.has(record.status as string) ? 'status' : undefined,
    record.sha !== undefined && (typeof record.sha !== 'string' || !/^[0-9a-f]{40,64}$/.test(record.sha))
      ? 'sha'
      : undefined,
    record.configText !== undefined && typeof record.configText !== 'string' ? 'configText' : undefined,
  ].filter(Boolean)
  if (bad.length) throw new Error(`not a gwdeploy release record (bad or missing ${bad.join(', ')})`)
  return parsed as T & ReleaseRecord
}

/** JSON.parse, refusing with where the text breaks (one line: not V8's snippet of the text). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    const { line, column } = offsetToLineColumn(text, jsonSyntaxErrorOffset(text) ?? text.length)
    throw new Error(`not valid JSON at line ${line} column ${column}`)
  }
}
