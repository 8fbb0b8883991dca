// A V8 .cpuprofile as an SVG flame graph (root at the bottom): one box per call path, as wide as the
// time spent in it and everything it called, coloured by area. Samples outside `window` and idle time
// are left out; boxes narrower than `minShare` of the busy time are dropped. Hover a box for its
// share, function and file.
import { areaOf, type CpuProfile } from './profile-summary.ts'

export interface FlamegraphOptions {
  root: string
  title: string
  window?: [number, number]
  /** Smallest box drawn, as a share of busy time (default 0.002). */
  minShare?: number
  width?: number
}

interface Frame {
  name: string
  where: string
  area: string
  us: number
  children: Frame[]
}

const ROW = 16
const FONT = 11
const CHAR = 6.4

function colourOf(area: string): string {
  if (area.startsWith('ours:')) return '#f2a65a'
  if (area.includes('undici')) return '#b48ead'
  if (area.startsWith('library:')) return '#d08770'
  if (area.startsWith('JSON')) return '#ebcb8b'
  if (area.startsWith('V8') || area === 'garbage collector') return '#e06c75'
  if (area.startsWith('HTTP')) return '#81a1c1'
  if (area.startsWith('sockets')) return '#88c0d0'
  return '#a3be8c'
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

export function renderFlamegraph(profile: CpuProfile, options: FlamegraphOptions): string {
  const width = options.width ?? 1200
  const minShare = options.minShare ?? 0.002
  const selfUs = new Map<number, number>()
  let clock = profile.startTime
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    clock += delta
    if (options.window && (clock < options.window[0] || clock > options.window[1])) return
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta)
  })
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const build = (id: number): Frame | undefined => {
    const node = byId.get(id)
    if (!node) return undefined
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)' || functionName === '(program)') return undefined
    const children = (node.children ?? []).map(build).filter((f): f is Frame => f !== undefined && f.us > 0)
    const us = (selfUs.get(id) ?? 0) + children.reduce((sum, c) => sum + c.us, 0)
    const where = url ? `${url.replace(`file://${options.root}/`, '')}:${lineNumber + 1}` : 'native'
    return {
      name: functionName || '(anonymous)',
      where,
      area: areaOf(functionName, url, options.root),
      us,
      children,
    }
  }
  const rootNode = profile.nodes[0]
  const root = rootNode ? build(rootNode.id) : undefined
  const busy = root?.us ?? 0
  const boxes: string[] = []
  let depth = 0
  const place = (frame: Frame, x: number, level: number, scale: number) => {
    const w = frame.us * scale
    if (frame.us < busy * minShare) return
    depth = Math.max(depth, level)
    const share = ((100 * frame.us) / busy).toFixed(1)
    const fits = Math.floor((w - 4) / CHAR)
    const label =
      fits >= 3 ? (frame.name.length > fits ? `${frame.name.slice(0, fits - 1)}…` : frame.name) : ''
    boxes.push(
      `<g data-level="${level}"><title>${escapeXml(`${frame.name} — ${frame.where} — ${share}% (${frame.area})`)}</title>` +
        `<rect x="${x.toFixed(1)}" y="LEVEL${level}" width="${Math.max(0.5, w - 0.5).toFixed(1)}" height="${ROW - 1}" fill="${colourOf(frame.area)}" rx="2"/>` +
        (label
          ? `<text x="${(x + 3).toFixed(1)}" y="LEVEL${level}T" font-size="${FONT}">${escapeXml(label)}</text>`
          : '') +
        '</g>',
    )
    let offset = x
    for (const child of [...frame.children].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      place(child, offset, level + 1, scale)
      offset += child.us * scale
    }
  }
  // The root frame is V8's "(root)": its children are what ran.
  let x = 0
  const scale = busy > 0 ? width / busy : 0
  for (const top of root?.children ?? []) {
    place(top, x, 0, scale)
    x += top.us * scale
  }
  const header = 24
  const height = header + (depth + 1) * ROW + 4
  const y = (level: number) => height - 4 - (level + 1) * ROW
  const body = boxes
    .join('\n')
    .replace(/y="LEVEL(\d+)T"/g, (_m, l: string) => `y="${y(Number(l)) + ROW - 4}"`)
    .replace(/y="LEVEL(\d+)"/g, (_m, l: string) => `y="${y(Number(l))}"`)
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<text x="4" y="16" font-size="13">${escapeXml(options.title)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n')
}
