// Reading config files and parsing them with positions kept, so every problem can name
// file:line:column. No yaml import here: YAML parsing takes the library from its caller (the CLI
// loads it up front in document.ts, the gateway runtime only for a YAML config).
import { readFileSync, statSync } from 'node:fs'
import type { Node } from 'yaml'
import { configError, type Location, type Problem } from './errors.ts'
import { settleGoYamlInts } from './go-yaml-ints.ts'
import { resolveGoYamlScalars } from './go-yaml-scalars.ts'
import { jsonLocator, offsetToLineColumn } from './json-locate.ts'
import { jsonSyntaxErrorOffset } from './json-syntax.ts'

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

/** The inverse of formatKeyPath: `a.b[2].c` -> ['a', 'b', 2, 'c']. */
export function parseKeyPath(text: string): KeyPath {
  const path: Array<string | number> = []
  for (const match of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    path.push(match[2] === undefined ? (match[1] as string) : Number(match[2]))
  return path
}

/** Largest gwdeploy.yml / overlay gwdeploy reads. */
export const MAX_PROJECT_CONFIG_BYTES = 1024 * 1024
/** Largest gateway config (KrakenD JSON) gwdeploy reads. */
export const MAX_GATEWAY_CONFIG_BYTES = 16 * 1024 * 1024

/**
 * Reads a config file for parsing, refusing what would hang or exhaust memory before any work:
 * anything but a regular file (a FIFO blocks forever), files over `maxBytes`, binary content.
 */
export function readConfigText(path: string, shown: string, maxBytes: number, hint?: string): string {
  let stats: ReturnType<typeof statSync>
  try {
    stats = statSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ELOOP' ? 'a symbolic link loop' : code === 'ENOENT' ? 'no such file' : code
    throw configError(`cannot read ${shown}: ${why ?? (error as Error).message}`, {
      location: { file: shown },
      ...(hint ? { hint } : {}),
    })
  }
  if (!stats.isFile()) {
    throw configError(`${shown} is not a regular file`, {
      location: { file: shown },
      hint: hint ?? 'Point it at a plain file (not a FIFO, device or directory).',
    })
  }
  if (stats.size > maxBytes) {
    throw configError(
      `${shown} is ${(stats.size / 1048576).toFixed(1)} MB: gwdeploy refuses files over ${maxBytes / 1048576} MB`,
      {
        location: { file: shown },
        hint: 'Is this the right file? Configs this large are almost always a mistake.',
      },
    )
  }
  let buffer: Buffer
  try {
    buffer = readFileSync(path)
  } catch (error) {
    throw configError(
      `cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        location: { file: shown },
        hint: 'Check the file permissions.',
      },
    )
  }
  const nul = buffer.indexOf(0)
  if (nul >= 0) {
    const { line, column } = offsetToLineColumn(buffer.subarray(0, nul).toString('latin1'), nul)
    throw configError(`${shown} is a binary file (a NUL byte), not text`, {
      location: { file: shown, line, column },
      hint: 'Point it at the YAML/JSON text file.',
    })
  }
  return buffer.toString('utf8')
}

/**
 * Where the offsets of a text rendered from other files (a flexible-config template) came from:
 * locations name the source the user edits, not the rendered text.
 */
export interface TextOrigin {
  /**
   * The location of the rendered text's offset, and what wrote it when the location alone does not
   * say; `valueOffset`: the value of the key at `offset`, whose origin the note tells when it differs.
   */
  locate(offset: number, valueOffset?: number): { location: Location; note?: string | undefined }
}

/** A `.json` file is parsed as JSON (as KrakenD does): no comments, no YAML. */
function parseJsonDocument(text: string, file: string, origin?: TextOrigin): SourceDocument {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw jsonSyntaxError(text, file, (error as Error).message, origin)
  }
  const at = jsonLocator(text, file, origin && ((key, value) => origin.locate(key, value).location))
  return {
    file,
    value,
    locate(path) {
      const keyPath = formatKeyPath(path)
      const location = at(path)
      return keyPath ? { ...location, path: keyPath } : location
    },
  }
}

/** JSON.parse's refusal, at the line and column where the text breaks the grammar. */
function jsonSyntaxError(text: string, file: string, message: string, origin?: TextOrigin) {
  const position = /at position (\d+)/.exec(message)?.[1]
  // An unexpected token or a BOM comes without a position (and with a snippet of the text).
  let offset = position === undefined ? (jsonSyntaxErrorOffset(text) ?? text.length) : Number(position)
  // The end of the input: where the text ends, not on the empty line after its last newline.
  if (offset >= text.length) offset = text.trimEnd().length
  const { line, column } = offsetToLineColumn(text, offset)
  const mapped = origin?.locate(offset)
  const comment = text[offset] === '/' && (text[offset + 1] === '/' || text[offset + 1] === '*')
  const bom = offset === 0 && text.startsWith('\uFEFF')
  const problem = comment
    ? {
        message: 'comments are not allowed in JSON (KrakenD refuses them too)',
        hint: 'Remove the comment, or use a `@comment` key, which KrakenD ignores.',
      }
    : bom
      ? {
          message:
            'the file starts with a byte order mark (BOM), which JSON does not allow (KrakenD refuses it too)',
          hint: 'Save the file as UTF-8 without a BOM.',
        }
      : {
          message: message
            .replace(/( in JSON)? at position \d+( \(line \d+ column \d+\))?/, '')
            .replace(/, (".*"|\.\.\.".*"\.\.\.|".*"\.\.\.|\.\.\.".*") is not valid JSON$/s, ''),
        }
  if (mapped) {
    const renderedLine = text.split('\n')[line - 1]?.trim() ?? ''
    return configError(`${file} is not valid JSON`, {
      problems: [
        {
          ...problem,
          message: `${problem.message} (rendered line ${line}:${column}: \`${renderedLine}\`)`,
          location: mapped.location,
        },
      ],
      hint: `Fix the source at the position above${mapped.note ? ` (${mapped.note})` : ''}; the rendered text is what KrakenD parses (FC_OUT saves it).`,
    })
  }
  return configError(`${file} is not valid JSON`, {
    problems: [{ ...problem, location: { file, line, column } }],
    hint: file.endsWith(' (rendered)')
      ? 'Fix the syntax at the position above: a line and column of the rendered template (what KrakenD parses), not of the file as written.'
      : 'Fix the syntax at the position above.',
  })
}

export type YamlLibrary = typeof import('yaml')

export interface YamlReading {
  /**
   * `go-yaml`: scalars resolve as KrakenD's go.yaml.in/yaml/v3 resolves them (gateway configs);
   * `yaml-1.2` (the default): the YAML 1.2 core schema (gwdeploy.yml).
   */
  scalars?: 'go-yaml' | 'yaml-1.2'
}

/** How a gateway config (KrakenD's file) is read: its scalars as KrakenD's go-yaml reads them. */
export const GATEWAY_YAML: YamlReading = { scalars: 'go-yaml' }

/**
 * A `.json` file as JSON (as KrakenD reads it), anything else as YAML, positions kept for errors.
 * `yaml` is called only for a YAML file.
 */
export function parseSourceDocumentWith(
  text: string,
  file: string,
  yaml: () => YamlLibrary,
  origin?: TextOrigin,
  reading: YamlReading = {},
): SourceDocument {
  // A rendered flexible-config template is named `gateway.json (rendered)`: JSON still, as KrakenD reads it.
  return /\.json( \(rendered\))?$/.test(file)
    ? parseJsonDocument(text, file, origin)
    : parseYamlDocument(text, file, yaml(), reading)
}

/**
 * Parses YAML (JSON is YAML too) keeping positions, so errors can name file:line:column. Syntax
 * errors become one configError listing every problem. The yaml library comes from the caller:
 * the gateway runtime loads it only for a YAML config.
 */
function parseYamlDocument(
  text: string,
  file: string,
  yaml: YamlLibrary,
  reading: YamlReading,
): SourceDocument {
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = yaml
  const lineCounter = new LineCounter()
  const goScalars = reading.scalars === 'go-yaml'
  // `<<: *anchor` merges, as Go's yaml (KrakenD's reader, go.yaml.in/yaml/v3) does: without it the
  // merged settings (guards written once and merged into each endpoint) were a key named "<<".
  // With go-yaml's scalars every scalar is read as text (failsafe), then resolved as go-yaml does;
  // an explicit schema also keeps a `%YAML 1.1` directive from changing anything, as in go-yaml.
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
    ...(goScalars ? { schema: 'failsafe' as const } : {}),
  })
  const problems: Problem[] = doc.errors.map((error) => {
    const pos = lineCounter.linePos(error.pos[0])
    return {
      message: error.message.split('\n')[0] ?? error.message,
      location: { file, line: pos.line, column: pos.col },
    }
  })
  if (problems.length > 0) {
    throw configError(`${file} is not valid YAML/JSON`, {
      problems,
      hint: 'Fix the syntax at the positions above.',
    })
  }
  if (goScalars) {
    const unread = resolveGoYamlScalars(doc, yaml, lineCounter, file)
    if (unread.length > 0)
      throw configError(
        `${file}: values KrakenD's YAML reader (go-yaml) reads in a way gwdeploy cannot hold`,
        {
          problems: unread,
          hint: 'Rewrite each value as its problem says (quoting it makes it text). Nothing was changed.',
        },
      )
  }
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: 100 }) as unknown
    if (goScalars) value = settleGoYamlInts(value)
  } catch (error) {
    // "Excessive alias count": a billion-laughs document.
    throw configError(`${file}: ${(error as Error).message}`, {
      location: { file },
      hint: 'Use fewer YAML aliases (*name); gwdeploy expands at most 100.',
    })
  }

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
