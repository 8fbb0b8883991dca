/**
 * A gwdeploy server block in haproxy.cfg edited by hand between runs (an option added to a
 * server line, an address changed): gwdeploy rewrites the whole block at its next change of that
 * backend, so what was edited is dropped. `status` and every command that reads the target say so
 * first, naming the file, the backend and the lines, instead of dropping them without a word.
 * Likewise a map file whose split is not the one HAProxy runs: the next reload would apply it.
 */
import { readFile } from 'node:fs/promises'
import { COLOURS, type Colour, type Weights } from '../types.ts'
import { BLOCK_BEGIN, BLOCK_END, readMap, renderServerBlock, type Slot, sections } from './config-file.ts'
import type { InstanceView } from './instance.ts'
import { type FleetRecord, slotsOf } from './state.ts'

/** One hand edit: the warning, and `where` for the router detail `status` shows. */
export interface HandEdit {
  warning: string
  where: string
}

/** An instance's files, as router.instances has them. */
interface InstanceFiles {
  name: string
  spec: { files: { configFile: string; mapFile: string } }
}

export interface EditedLine {
  /** The line as it is in the file. */
  found: string
  /** What gwdeploy writes there (undefined: a server line gwdeploy does not write at all). */
  expected?: string | undefined
}

const normal = (line: string) => line.trim().split(/\s+/).join(' ')

/** The server lines inside a backend's gwdeploy block (whitespace collapsed); undefined without a block. */
function blockServerLines(text: string, backend: string): string[] | undefined {
  const lines = text.split('\n')
  const section = sections(lines).find((s) => s.kind === 'backend' && s.name === backend)
  if (!section) return undefined
  const inside = lines.slice(section.start + 1, section.end)
  const begin = inside.findIndex((line) => line.includes(BLOCK_BEGIN))
  const end = inside.findIndex((line, i) => i > begin && line.includes(BLOCK_END))
  if (begin < 0 || end < 0) return undefined
  return inside
    .slice(begin + 1, end)
    .map(normal)
    .filter((line) => line !== '' && !line.startsWith('#'))
}

/**
 * The options the server lines of `backend`'s block carry (after the address, `disabled` aside),
 * whitespace collapsed, when every line carries the same; undefined without a block or lines.
 */
export function blockServerOptions(text: string, backend: string): string | undefined {
  const options = new Set(
    (blockServerLines(text, backend) ?? []).map((line) =>
      line
        .split(' ')
        .slice(3)
        .filter((word, i, words) => !(word === 'disabled' && i === words.length - 1))
        .join(' '),
    ),
  )
  return options.size === 1 ? [...options][0] : undefined
}

/**
 * The lines of `backend`'s block that differ from what gwdeploy writes for `slots` (the colour's
 * recorded nodes, none when it has no fleet).
 */
export function editedServerLines(
  text: string,
  backend: string,
  colour: Colour,
  slots: Slot[],
  settings: { slots: number; serverOptions: string },
): EditedLine[] {
  const found = blockServerLines(text, backend)
  if (!found) return []
  const written = renderServerBlock(
    colour,
    slots,
    Math.max(settings.slots, found.length),
    settings.serverOptions,
    '',
  )
    .slice(1, -1)
    .map(normal)
  const byName = new Map(written.map((line) => [line.split(' ')[1], line]))
  return found.flatMap((line) => {
    const expected = byName.get(line.split(' ')[1])
    return expected === line ? [] : [{ found: line, expected }]
  })
}

/** One warning for an instance's backend, or undefined when its block is as gwdeploy wrote it. */
function handEditWarning(
  instance: string,
  configFile: string,
  backend: string,
  edited: EditedLine[],
): string | undefined {
  if (edited.length === 0) return undefined
  const lines = edited
    .map(({ found, expected }) => (expected ? `"${found}" (gwdeploy writes "${expected}")` : `"${found}"`))
    .join(', ')
  return `HAProxy ${instance}: ${configFile} (backend ${backend}): the gwdeploy server block was edited by hand: ${lines}. gwdeploy rewrites the whole block at its next change of ${backend} (a release, rollback or retire), which drops this: put server options in provider.haproxy.serverOptions, servers of your own outside the "# BEGIN gwdeploy servers" block`
}

const split = (weights: Weights) => `blue ${weights.blue}% / green ${weights.green}%`

/**
 * The map file says another split than the instance runs (edited by hand, or copied from another
 * machine): HAProxy reads the file when it reloads, so the next reload — a config change, a
 * package upgrade, a reboot — would move traffic without gwdeploy. Undefined when they agree.
 */
export function mapFileWarning(
  instance: string,
  mapFile: string,
  text: string,
  running: Weights,
): HandEdit | undefined {
  const onDisk = readMap(text)
  if (onDisk && onDisk.blue === running.blue && onDisk.green === running.green) return undefined
  const says = onDisk ? `says ${split(onDisk)}` : 'holds no valid blue/green entries'
  // A running split that leaves requests with no backend is no state to copy into the file.
  const whole = running.blue + running.green === 100 || running.blue + running.green === 0
  return {
    where: `${instance} map file ${says}`,
    warning: `HAProxy ${instance}: ${mapFile} ${says}, but HAProxy runs ${split(running)}: the next reload of HAProxy applies the file (edited by hand?). ${whole ? `Put the entries back to what runs (\`blue ${running.blue}\`, \`green ${running.green}\`), or let` : 'Fix what runs first (some requests find no backend), then let'} gwdeploy write them: its next release, rollback or promote rewrites the file with the split it sets`,
  }
}

/**
 * Server blocks edited by hand since gwdeploy wrote them, per instance and backend: compared with
 * the fleet record gwdeploy writes the blocks from (not the containers, which may have been
 * removed by hand without anyone touching haproxy.cfg).
 */
export async function serverBlockEdits(
  instances: readonly InstanceFiles[],
  records: Partial<Record<Colour, FleetRecord>>,
  settings: { backends: Record<Colour, string>; slots: number; serverOptions: string },
): Promise<HandEdit[]> {
  const edits: HandEdit[] = []
  for (const instance of instances) {
    const file = instance.spec.files.configFile
    const text = await readFile(file, 'utf8').catch(() => undefined)
    if (text === undefined) continue
    for (const colour of COLOURS) {
      const record = records[colour]
      const backend = settings.backends[colour]
      // Lines gwdeploy wrote with the options of their release are no edit (serverOptions changed since).
      const written = { ...settings, serverOptions: record?.serverOptions ?? settings.serverOptions }
      const edited = editedServerLines(text, backend, colour, record ? slotsOf(record) : [], written)
      // Emptied as gwdeploy empties it while its record stays: a decommission (retire) that did not
      // finish, which the records name, not an edit by hand.
      if (record && edited.length > 0 && editedServerLines(text, backend, colour, [], settings).length === 0)
        continue
      const warning = handEditWarning(instance.name, file, backend, edited)
      if (warning)
        edits.push({
          warning,
          where: `${instance.name} ${file} backend ${backend} (its next change drops the edit)`,
        })
    }
  }
  return edits
}

/** Map files whose split is not what their instance runs. */
export async function mapFileEdits(
  instances: readonly InstanceFiles[],
  views: InstanceView[],
): Promise<HandEdit[]> {
  const edits: HandEdit[] = []
  for (const view of views) {
    const instance = instances.find((i) => i.name === view.name)
    const file = instance?.spec.files.mapFile
    const text = file ? await readFile(file, 'utf8').catch(() => undefined) : undefined
    const edit = file && text !== undefined ? mapFileWarning(view.name, file, text, view.weights) : undefined
    if (edit) edits.push(edit)
  }
  return edits
}
