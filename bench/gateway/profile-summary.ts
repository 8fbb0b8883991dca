// Self time of a V8 .cpuprofile grouped into the areas a request passes through.
export interface CpuProfile {
  nodes: Array<{
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number }
    hitCount?: number
    children?: number[]
  }>
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface SummaryOptions {
  /** The checkout whose src/ files are "ours". */
  root: string
  top: number
  /** Only samples taken within [from, to] µs of the monotonic clock. */
  window?: [number, number]
  /** Requests served in the window: each share is then also given in µs per request. */
  requests?: number
}

const AREAS: Array<[RegExp, string]> = [
  [/^\((garbage collector)\)$/, 'garbage collector'],
  [/^\((idle|program)\)$/, 'idle / outside JS'],
  [/undici/, 'backend client (undici)'],
  [/node:internal\/deps\/undici/, 'backend client (undici)'],
  [/node:(_http_server|_http_incoming|_http_common)/, 'HTTP server: parsing, request objects'],
  [/node:(_http_outgoing)/, 'HTTP server: response writing'],
  [/node:internal\/http2|node:http2/, 'HTTP/2'],
  [/node:(net|internal\/stream_base_commons|internal\/streams|stream)/, 'sockets and streams'],
  [/node:(events|internal\/event_target|internal\/abort_controller)/, 'events / abort signals'],
  [/node:internal\/(timers|process\/task_queues)/, 'timers and microtasks'],
  [/^node:/, 'other node internals'],
]

export function areaOf(functionName: string, url: string, root: string): string {
  if (url.startsWith('file://') && url.includes(`${root}/src/`))
    return `ours: ${url.slice(url.indexOf('/src/') + 1)}`
  if (url === '') {
    if (/^\(/.test(functionName)) {
      for (const [pattern, area] of AREAS) if (pattern.test(functionName)) return area
      return functionName
    }
    if (/^(parse|stringify|JSONParse|JSONStringify)$/.test(functionName)) return 'JSON (V8 builtins)'
    return 'V8 builtins / native'
  }
  for (const [pattern, area] of AREAS) if (pattern.test(url)) return area
  if (url.includes('node_modules')) return `library: ${/node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1]}`
  return 'other'
}

const pct = (part: number, total: number) => `${((100 * part) / total).toFixed(1).padStart(5)}%`

export function summarizeProfile(
  profile: CpuProfile,
  { root, top, window, requests }: SummaryOptions,
): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  let clock = profile.startTime
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    clock += delta
    if (window && (clock < window[0] || clock > window[1])) return
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta)
  })
  const areas = new Map<string, number>()
  const functions = new Map<string, number>()
  let total = 0
  let busy = 0
  for (const [id, us] of selfUs) {
    const node = byId.get(id)
    if (!node) continue
    const { functionName, url, lineNumber } = node.callFrame
    const area = areaOf(functionName, url, root)
    total += us
    if (area === 'idle / outside JS') continue
    busy += us
    areas.set(area, (areas.get(area) ?? 0) + us)
    const where = url ? `${url.replace(`file://${root}/`, '').replace(/^node:/, '')}:${lineNumber + 1}` : ''
    const key = `${functionName || '(anonymous)'} ${where}`.trim()
    functions.set(key, (functions.get(key) ?? 0) + us)
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1])
  const perRequest = (us: number) => (requests ? `${(us / requests).toFixed(1).padStart(6)} µs  ` : '')
  return [
    `busy ${pct(busy, total)} of ${(total / 1e6).toFixed(1)} s sampled; shares below are of busy time` +
      (requests ? `; ${(busy / requests).toFixed(1)} µs of busy time per request` : ''),
    '',
    'by area:',
    ...sorted(areas).map(([area, us]) => `  ${pct(us, busy)}  ${perRequest(us)}${area}`),
    '',
    `top ${top} functions (self time):`,
    ...sorted(functions)
      .slice(0, top)
      .map(([fn, us]) => `  ${pct(us, busy)}  ${perRequest(us)}${fn}`),
  ].join('\n')
}
