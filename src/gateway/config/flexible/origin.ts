/**
 * The source map of a rendered flexible config as core/source-text reads it (a TextOrigin), and
 * the notes it adds to problems located through it: which include or settings value wrote the text.
 */
import type { Location, Problem } from '../../../core/errors.ts'
import type { TextOrigin } from '../../../core/source-text.ts'
import { describeOrigin, type RenderedSourceMap, shownPath, sourcePositionOf } from './source-map.ts'

export interface RenderedOrigin extends TextOrigin {
  /** Problems located through this origin, each hint saying what wrote the text when the location alone does not. */
  explain(problems: Problem[]): Problem[]
}

/** `map` is called on the first location asked for (it renders again, recording). */
export function renderedOrigin(map: () => RenderedSourceMap, cwd: string): RenderedOrigin {
  // Locations are spread (`{ ...location, path }`) on their way into problems: notes go by position.
  const notes = new Map<string, string>()
  const key = (location: Location) => `${location.file}:${location.line}:${location.column}`
  return {
    locate(offset, valueOffset) {
      const position = sourcePositionOf(map(), offset)
      if (!position) return { location: {} }
      const location: Location = {
        file: shownPath(position.file, cwd),
        line: position.line,
        column: position.column,
      }
      // A string value's quote is usually template text (`"{{ .x }}"`): its first character tells.
      const value = [valueOffset, valueOffset === undefined ? undefined : valueOffset + 1]
        .map((at) => (at === undefined ? undefined : sourcePositionOf(map(), at)))
        .find((at) => at?.action)
      const note = (value && describeOrigin(value, cwd, 'the value')) ?? describeOrigin(position, cwd)
      if (note) notes.set(key(location), note)
      return { location, note }
    },
    explain(problems) {
      return problems.map((problem) => {
        const note = problem.location && notes.get(key(problem.location))
        if (!note) return problem
        return {
          ...problem,
          hint: problem.hint ? `${problem.hint} (${note})` : `${note[0]?.toUpperCase()}${note.slice(1)}.`,
        }
      })
    },
  }
}
