// Config documents as the CLI reads them (gwdeploy.yml, gateway configs): the yaml library is
// loaded up front, since every CLI run reads YAML. The parsing itself lives in source-text.ts.
import * as yaml from 'yaml'
import {
  parseSourceDocumentWith,
  type SourceDocument,
  type TextOrigin,
  type YamlReading,
} from './source-text.ts'

export * from './source-text.ts'

/** A `.json` file as JSON (as KrakenD reads it), anything else as YAML; positions kept for errors. */
export function parseSourceDocument(
  text: string,
  file: string,
  origin?: TextOrigin,
  reading?: YamlReading,
): SourceDocument {
  return parseSourceDocumentWith(text, file, () => yaml, origin, reading)
}
