import { isGwError, type Location, withLocation } from './errors.ts'
import { type KeyPath, parseKeyPath } from './source-text.ts'

/** Where gwdeploy.yml (or its overlay) writes a key path; undefined when neither sets its first key. */
export type ProjectLocator = (path: KeyPath) => Location | undefined

/** How providers name the project config in a location they cannot place (they see no file). */
const PROJECT_FILE = 'gwdeploy.yml'

/**
 * Providers report a gwdeploy.yml key (`fleet.env.API_KEY.fromFile`) without a line, since they
 * see only the parsed config; this places such an error at the file and line that key is written
 * on (the overlay when it sets the key). Anything else is returned as it is.
 */
export function locatedInProject(error: unknown, locate: ProjectLocator | undefined): unknown {
  if (!locate || !isGwError(error)) return error
  const at = error.location
  if (!at?.path || at.line !== undefined || (at.file !== undefined && at.file !== PROJECT_FILE)) return error
  const found = locate(parseKeyPath(at.path))
  return found ? withLocation(error, { ...found, path: at.path }) : error
}
