/**
 * The haproxy.cfg and map file gwdeploy keeps in sync with the runtime changes (pure text in,
 * text out; the I/O is in files.ts). gwdeploy owns two things in them:
 *
 * - in each colour's backend, the block between `# BEGIN gwdeploy servers` and
 *   `# END gwdeploy servers`: one `server <colour><n>` line per slot, with the node's
 *   address, or a placeholder address and `disabled` for an empty slot;
 * - the map file's `green` entry (the share of requests, 0-100, the frontend sends to the
 *   green backend) and `blue` entry (above 0: blue takes the rest, written 100 - green; 0 when nothing serves);
 *   see templates/init/files/haproxy/haproxy/haproxy.cfg for the frontend rules.
 */
import type { Colour, Weights } from '../types.ts'

export const BLOCK_BEGIN = '# BEGIN gwdeploy servers'
export const BLOCK_END = '# END gwdeploy servers'
/** Address of an empty slot: never reached (the slot is disabled / in maintenance). */
export const EMPTY_SLOT = { address: '127.0.0.1', port: 1 }

export const slotName = (colour: Colour, index: number) => `${colour}${index + 1}`
/** A slot server's name (`blue1`, `green3`): its colour, then its number. */
export const SLOT_SERVER = /^(blue|green)(\d+)$/

const SECTION =
  /^\s*(global|defaults|frontend|backend|listen|peers|resolvers|userlist|program|http-errors|ring|cache|mailers)\b\s*(\S*)/

interface Section {
  kind: string
  name: string
  /** Line index of the section keyword and one past its last line. */
  start: number
  end: number
}

export function sections(lines: string[]): Section[] {
  const found: Section[] = []
  lines.forEach((line, index) => {
    const match = SECTION.exec(line)
    if (!match?.[1]) return
    const previous = found.at(-1)
    if (previous) previous.end = index
    found.push({ kind: match[1], name: match[2] ?? '', start: index, end: lines.length })
  })
  return found
}

export interface ConfigExpectations {
  frontend: string
  backends: Record<Colour, string>
  mapFile: string
}

/** What is missing from a haproxy.cfg for gwdeploy to drive it (empty when it is fine). */
export function configProblems(text: string, expect: ConfigExpectations): string[] {
  const lines = text.split('\n')
  const all = sections(lines)
  const body = (section: Section) => lines.slice(section.start + 1, section.end).join('\n')
  const problems: string[] = []
  const frontend = all.find(
    (s) => (s.kind === 'frontend' || s.kind === 'listen') && s.name === expect.frontend,
  )
  if (!frontend) problems.push(`no frontend "${expect.frontend}"`)
  else {
    const text = body(frontend)
    if (!text.includes(`map(${expect.mapFile}`))
      problems.push(`frontend "${expect.frontend}" does not read the map ${expect.mapFile}`)
    for (const colour of ['blue', 'green'] as const) {
      const backend = expect.backends[colour]
      if (!new RegExp(`use_backend\\s+${escapeRegExp(backend)}\\s+if\\b`).test(text))
        problems.push(`frontend "${expect.frontend}" has no \`use_backend ${backend} if ...\` rule`)
    }
  }
  for (const colour of ['blue', 'green'] as const) {
    const name = expect.backends[colour]
    const backend = all.find((s) => s.kind === 'backend' && s.name === name)
    if (!backend) {
      problems.push(`no backend "${name}" (provider.haproxy.backends.${colour})`)
      continue
    }
    const text = body(backend)
    if (!text.includes(BLOCK_BEGIN) || !text.includes(BLOCK_END))
      problems.push(`backend "${name}" has no "${BLOCK_BEGIN}" ... "${BLOCK_END}" block`)
  }
  return problems
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export interface Slot {
  address: string
  port: number
}

/** The server lines of one backend: `count` slots, the first ones filled with `nodes`. */
export function renderServerBlock(
  colour: Colour,
  nodes: Slot[],
  count: number,
  serverOptions: string,
  indent = '    ',
  target?: string,
): string[] {
  const lines = [`${indent}${beginLine(target)}`]
  for (let i = 0; i < Math.max(count, nodes.length); i++) {
    const node = nodes[i]
    const target = node ?? EMPTY_SLOT
    const options = serverOptions.trim() ? ` ${serverOptions.trim()}` : ''
    lines.push(
      `${indent}server ${slotName(colour, i)} ${target.address}:${target.port}${options}${node ? '' : ' disabled'}`,
    )
  }
  lines.push(`${indent}${BLOCK_END}`)
  return lines
}

/**
 * The `# BEGIN gwdeploy servers` line; with a target it names the gwdeploy target (service, or
 * service-env) that owns the backend, so a second target configured with the same backends
 * (or the same map) is refused instead of taking the first one's traffic over.
 */
const beginLine = (target?: string) =>
  `${BLOCK_BEGIN} (managed by gwdeploy${target ? ` for target "${target}"` : ''}: rewritten on every release)`

const OWNER = /managed by gwdeploy for target "([^"]*)"/

/** Where a backend's gwdeploy block names its owner: the target and the 1-based line. */
export function blockOwner(text: string, backend: string): { target: string; line: number } | undefined {
  const lines = text.split('\n')
  const section = sections(lines).find((s) => s.kind === 'backend' && s.name === backend)
  if (!section) return undefined
  for (let i = section.start + 1; i < section.end; i++) {
    const line = lines[i] ?? ''
    if (!line.includes(BLOCK_BEGIN)) continue
    const target = OWNER.exec(line)?.[1]
    return target === undefined ? undefined : { target, line: i + 1 }
  }
  return undefined
}

/** Writes `target` as the owner into the BEGIN lines of the given backends' gwdeploy blocks. */
export function claimBlocks(text: string, backends: string[], target: string): string {
  const lines = text.split('\n')
  for (const section of sections(lines)) {
    if (section.kind !== 'backend' || !backends.includes(section.name)) continue
    for (let i = section.start + 1; i < section.end; i++) {
      const line = lines[i] ?? ''
      if (!line.includes(BLOCK_BEGIN)) continue
      lines[i] = `${/^\s*/.exec(line)?.[0] ?? ''}${beginLine(target)}`
      break
    }
  }
  return lines.join('\n')
}

/** The target a map file names as its owner (`# gwdeploy target: NAME`), if any. */
export function mapOwner(text: string): string | undefined {
  return /^#\s*gwdeploy target:\s*(\S+)\s*$/m.exec(text)?.[1]
}

/** Replaces the gwdeploy block of `backend` (keeping its indentation); throws when there is none. */
export function replaceServerBlock(
  text: string,
  backend: string,
  block: (indent: string) => string[],
): string {
  const lines = text.split('\n')
  const section = sections(lines).find((s) => s.kind === 'backend' && s.name === backend)
  if (!section) throw new Error(`no backend "${backend}"`)
  const begin = lines.findIndex(
    (line, i) => i > section.start && i < section.end && line.includes(BLOCK_BEGIN),
  )
  const end = lines.findIndex((line, i) => i > begin && i < section.end && line.includes(BLOCK_END))
  if (begin < 0 || end < 0) throw new Error(`backend "${backend}" has no gwdeploy server block`)
  const indent = /^\s*/.exec(lines[begin] ?? '')?.[0] ?? '    '
  return [...lines.slice(0, begin), ...block(indent), ...lines.slice(end + 1)].join('\n')
}

/** The nodes in a backend's gwdeploy block as written in the file (filled slots only). */
export function readServerBlock(text: string, backend: string): Array<Slot & { name: string }> {
  const lines = text.split('\n')
  const section = sections(lines).find((s) => s.kind === 'backend' && s.name === backend)
  if (!section) return []
  const inside = lines.slice(section.start + 1, section.end)
  const begin = inside.findIndex((line) => line.includes(BLOCK_BEGIN))
  const end = inside.findIndex((line, i) => i > begin && line.includes(BLOCK_END))
  if (begin < 0 || end < 0) return []
  return inside
    .slice(begin + 1, end)
    .map((line) => /^\s*server\s+(\S+)\s+([^\s:]+):(\d+)(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && !/\bdisabled\b/.test(m[4] ?? ''))
    .map((m) => ({ name: m[1] as string, address: m[2] as string, port: Number(m[3]) }))
}

export function renderMap(weights: Weights, maintenance = 'off', target?: string): string {
  return [
    ...(target ? [`# gwdeploy target: ${target}`] : []),
    '# gwdeploy: the live split. green = share of requests (0-100) sent to the green backend; the',
    '# others go to blue while blue is above 0 (gwdeploy writes 100 - green), else they find no backend (503).',
    '# maintenance = off, or the token of the page every request gets instead (`gwdeploy maintenance`).',
    '# Managed by gwdeploy (runtime API + this file, so a reload keeps the live split).',
    `blue ${weights.blue}`,
    `green ${weights.green}`,
    `maintenance ${maintenance}`,
    '',
  ].join('\n')
}

/** The split a map (file text or `show map` entries) holds; undefined when an entry is invalid. */
export function weightsFromEntries(entries: Map<string, string>): Weights | undefined {
  const green = parsePercent(entries.get('green') ?? '0')
  const blue = parsePercent(entries.get('blue') ?? '0')
  if (green === undefined || blue === undefined) return undefined
  return { blue: blue > 0 ? 100 - green : 0, green }
}

export function readMap(text: string): Weights | undefined {
  const entries = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^\s*([^#\s]\S*)\s+(\S+)\s*$/.exec(line)
    if (match?.[1] && match[2]) entries.set(match[1], match[2])
  }
  return weightsFromEntries(entries)
}

function parsePercent(value: string): number | undefined {
  if (!/^\d{1,3}$/.test(value)) return undefined
  const percent = Number(value)
  return percent <= 100 ? percent : undefined
}

/** Where clients reach the frontend (its first `bind`), as a URL, for status output. */
export function frontendEndpoint(text: string, frontend: string): string | undefined {
  const lines = text.split('\n')
  const section = sections(lines).find(
    (s) => (s.kind === 'frontend' || s.kind === 'listen') && s.name === frontend,
  )
  if (!section) return undefined
  for (const line of lines.slice(section.start + 1, section.end)) {
    const match = /^\s*bind\s+(?:ipv4@)?([^\s,]*):(\d+)/.exec(line)
    if (match)
      return `http://${!match[1] || match[1] === '*' || match[1] === '0.0.0.0' ? '127.0.0.1' : match[1]}:${match[2]}`
  }
  return undefined
}
