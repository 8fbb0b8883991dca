/**
 * The maintenance page on HAProxy, as data (pure; the I/O is in router.ts). haproxy.cfg's
 * frontend gets one managed rule between `# BEGIN gwdeploy maintenance` and
 * `# END gwdeploy maintenance`:
 *
 *   http-request return status 503 content-type "application/json" file <dir>/<token>.page
 *     hdr Retry-After "120" hdr Cache-Control "no-store"
 *     if { str(maintenance),map(<map>,off) -m str <token> }
 *
 * where <token> names the page by digest. The switch itself is the map's `maintenance` entry,
 * set live with `set map` (like the split) and in the map file: `<token>` serves the page from
 * the next request, `off` routes again, and the split entries are never touched. HAProxy reads
 * the page file when it loads its config, so a new page needs a reload once; `show acl` tells
 * which tokens the running process has loaded.
 */
import { createHash } from 'node:crypto'
import { posix } from 'node:path'
import type { MaintenancePage } from '../types.ts'
import { sections } from './config-file.ts'

const MAINTENANCE_BEGIN = '# BEGIN gwdeploy maintenance'
const MAINTENANCE_END = '# END gwdeploy maintenance'
export const MAINTENANCE_KEY = 'maintenance'
export const MAINTENANCE_OFF = 'off'
const TOKEN = /^gwdeploy-maintenance-[0-9a-f]{12}$/

/** Names a page by what clients get: same page, same token, same file. */
export function pageToken(page: MaintenancePage): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([page.status, page.contentType, page.retryAfter ?? null, page.body]))
    .digest('hex')
  return `gwdeploy-maintenance-${digest.slice(0, 12)}`
}

/** The page file beside the map: `mapPath` as haproxy.cfg names it (reference) or as gwdeploy writes it. */
export const pageFile = (mapPath: string, token: string) =>
  posix.join(posix.dirname(mapPath), `${token}.page`)

/**
 * The managed rules, one per page (none: an empty block). While one page replaces another the
 * block holds both, so the page being served stays up until the map entry moves to the new one.
 */
export function renderMaintenanceBlock(
  pages: MaintenancePage[],
  mapReference: string,
  indent = '    ',
): string[] {
  const lines = [
    `${indent}${MAINTENANCE_BEGIN} (managed by gwdeploy: \`gwdeploy maintenance on|off\` sets the map's ${MAINTENANCE_KEY} entry)`,
  ]
  for (const page of pages) {
    const token = pageToken(page)
    const headers = [
      ...(page.retryAfter !== undefined ? [`hdr Retry-After "${page.retryAfter}"`] : []),
      'hdr Cache-Control "no-store"',
    ]
    lines.push(
      `${indent}http-request return status ${page.status} content-type "${page.contentType}" file ${pageFile(mapReference, token)} ${headers.join(' ')} if { str(${MAINTENANCE_KEY}),map(${mapReference},${MAINTENANCE_OFF}) -m str ${token} }`,
    )
  }
  lines.push(`${indent}${MAINTENANCE_END}`)
  return lines
}

/**
 * haproxy.cfg with the frontend's maintenance block replaced, or inserted before its first
 * `use_backend` / `default_backend` (rules that route must come after the one that answers).
 */
export function replaceMaintenanceBlock(
  text: string,
  frontend: string,
  block: (indent: string) => string[],
): string {
  const lines = text.split('\n')
  const section = sections(lines).find(
    (s) => (s.kind === 'frontend' || s.kind === 'listen') && s.name === frontend,
  )
  if (!section) throw new Error(`no frontend "${frontend}"`)
  const inside = (i: number) => i > section.start && i < section.end
  const begin = lines.findIndex((line, i) => inside(i) && line.includes(MAINTENANCE_BEGIN))
  const end = lines.findIndex((line, i) => i > begin && inside(i) && line.includes(MAINTENANCE_END))
  if (begin >= 0 && end >= 0) {
    const indent = /^\s*/.exec(lines[begin] ?? '')?.[0] ?? '    '
    return [...lines.slice(0, begin), ...block(indent), ...lines.slice(end + 1)].join('\n')
  }
  let at = lines.findIndex((line, i) => inside(i) && /^\s*(use_backend|default_backend)\b/.test(line))
  if (at < 0) {
    at = section.end
    while (at - 1 > section.start && (lines[at - 1] ?? '').trim() === '') at--
  }
  const indent = /^\s*/.exec(lines[at] ?? '')?.[0] || '    '
  return [...lines.slice(0, at), ...block(indent), ...lines.slice(at)].join('\n')
}

/** Ids of the `str(...)` ACLs in `show acl` (the maintenance rule's inline ACL is one of them). */
export function strAclIds(showAcl: string): string[] {
  return showAcl
    .split('\n')
    .map((line) => /^(\d+) \(\) acl 'str' /.exec(line)?.[1])
    .filter((id): id is string => id !== undefined)
}

/** Maintenance tokens among the patterns of `show acl #<id>`. */
export function tokensInAcl(showAclEntries: string): string[] {
  return showAclEntries
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[1] ?? '')
    .filter((pattern) => TOKEN.test(pattern))
}
