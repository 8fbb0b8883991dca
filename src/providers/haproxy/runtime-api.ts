/**
 * The HAProxy runtime API (stats socket): one connection per command, the answer is the text
 * HAProxy writes before closing. There are no status codes, so each command's success text is
 * matched by the caller (see REFERENCE.md, "HAProxy 2.6 runtime API").
 */
import net from 'node:net'

export interface SocketAddress {
  path?: string
  host?: string
  port?: number
}

/** `/run/haproxy/admin.sock`, `unix@/path`, `ipv4@127.0.0.1:9999` or `127.0.0.1:9999`. */
export function parseSocketAddress(socket: string, resolvePath: (path: string) => string): SocketAddress {
  const tcp = /^(?:ipv4@|tcp:\/\/)?([\w.-]+):(\d{1,5})$/.exec(socket)
  if (tcp?.[1] && tcp[2]) return { host: tcp[1], port: Number(tcp[2]) }
  return { path: resolvePath(socket.replace(/^unix@/, '')) }
}

export const describeSocket = (address: SocketAddress) => address.path ?? `${address.host}:${address.port}`

export class RuntimeApiError extends Error {
  readonly unreachable: boolean
  constructor(message: string, unreachable: boolean) {
    super(message)
    this.unreachable = unreachable
  }
}

/** Sends one command line (several may be joined with `;`) and returns HAProxy's answer. */
export function runtimeCommand(address: SocketAddress, command: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = address.path
      ? net.createConnection({ path: address.path })
      : net.createConnection({ host: address.host ?? '127.0.0.1', port: address.port ?? 0 })
    let answer = ''
    let connected = false
    socket.setEncoding('utf8')
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new RuntimeApiError(`no answer within ${timeoutMs} ms to "${command}"`, !connected)),
    )
    socket.on('connect', () => {
      connected = true
      socket.end(`${command}\n`)
    })
    socket.on('data', (chunk: string) => {
      answer += chunk
    })
    socket.on('error', (error) =>
      reject(error instanceof RuntimeApiError ? error : new RuntimeApiError(error.message, !connected)),
    )
    socket.on('close', (hadError) => {
      if (!hadError) resolve(answer)
    })
  })
}

export interface ServerState {
  backend: string
  name: string
  address: string
  port: number
  /** 0 stopped, 1 starting, 2 running, 3 stopping */
  opState: number
  /** bitmask: 0x01 forced maint, 0x04 config disabled, 0x08 forced drain, ... */
  adminState: number
  weight: number
  /** 0 unknown (also while a check is in flight), 1 neutral, 2 failed, 3 passed, 4 condpass */
  checkResult: number
  /** HAProxy's HCHK_STATUS_* of the last finished check (kept while the next one runs): 15 L7OK, 8 L4CON... */
  checkStatus: number
}

/** `show servers state [backend]`: version line, `#` header, then space-separated rows. */
export function parseServersState(text: string): ServerState[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '')
  const header = lines.find((line) => line.startsWith('# '))
  if (!header) return []
  const columns = header.slice(2).trim().split(/\s+/)
  const at = (row: string[], column: string) => row[columns.indexOf(column)] ?? ''
  return lines
    .filter((line) => !line.startsWith('#') && /^\d+ /.test(line) && line !== '1')
    .map((line) => line.trim().split(/\s+/))
    .filter((row) => row.length >= columns.length - 2)
    .map((row) => ({
      backend: at(row, 'be_name'),
      name: at(row, 'srv_name'),
      address: at(row, 'srv_addr'),
      port: Number(at(row, 'srv_port')),
      opState: Number(at(row, 'srv_op_state')),
      adminState: Number(at(row, 'srv_admin_state')),
      weight: Number(at(row, 'srv_uweight')),
      checkResult: Number(at(row, 'srv_check_result')),
      checkStatus: Number(at(row, 'srv_check_status')),
    }))
}

/** `show stat`: CSV with a `# ` header; rows as objects keyed by column name. */
export function parseStatCsv(text: string): Array<Record<string, string>> {
  const lines = text.split('\n').filter((line) => line.trim() !== '')
  const header = lines[0]?.replace(/^# /, '').split(',') ?? []
  return lines.slice(1).map((line) => {
    const cells = line.split(',')
    return Object.fromEntries(header.map((column, i) => [column, cells[i] ?? '']))
  })
}

/** `show map <file>`: `<id> <key> <value>` per entry. */
export function parseMapEntries(text: string): Map<string, string> {
  const entries = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^0x[0-9a-f]+ (\S+) (.*)$/.exec(line.trim())
    if (match?.[1] !== undefined && match[2] !== undefined) entries.set(match[1], match[2].trim())
  }
  return entries
}

/** What to do about a socket that cannot be opened: a permission problem is not a stopped HAProxy. */
export function socketHint(error: unknown, otherwise: string): string {
  const code =
    (error as { code?: string }).code ?? /\b(EACCES|EPERM|ENOENT|ECONNREFUSED)\b/.exec(String(error))?.[1]
  if (code === 'EACCES' || code === 'EPERM')
    return "The stats socket is there, but this user may not open it: run gwdeploy as a user the socket allows (haproxy.cfg `stats socket <path> mode 660 group <group> level admin`, and that group for gwdeploy's user), or fix the socket's mode."
  if (code === 'ENOENT')
    return 'No socket at that path: HAProxy is not running, or its `stats socket` line names another path than provider.haproxy.instances[].socket.'
  if (code === 'ECONNREFUSED')
    return 'Nothing listens there: HAProxy is not running (a stale socket file), or provider.haproxy.instances[].socket names another address.'
  return otherwise
}
