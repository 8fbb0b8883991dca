/** santhosh-tekuri/jsonschema v6's ValidationError tree, and its text as krakend-jsonschema returns it. */
import { pointer, quote } from './json-schema-wording.ts'

export interface SchemaError {
  at: string[]
  message: string
  causes: SchemaError[]
  /** A `$ref` error: not shown itself when it has one cause (v6's skip()). */
  reference?: true
}

export const GROUP = 'validation failed'

export function display(error: SchemaError, indent: number, lines: string[]): void {
  const skip = error.reference === true && error.causes.length === 1
  if (!skip) {
    lines.push(`${'  '.repeat(indent - 1)}- at ${quote(pointer(error.at))}: ${error.message}`)
    indent += 1
  }
  for (const cause of error.causes) display(cause, indent, lines)
}

export const leaf = (at: string[], message: string): SchemaError => ({ at, message, causes: [] })

export function push(errors: SchemaError[], error: SchemaError | undefined): void {
  if (error) errors.push(error)
}
