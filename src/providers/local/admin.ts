import http from 'node:http'
import type { MaintenanceState } from '../types.ts'
import type { RouterSnapshot, RouteTable } from './router-protocol.ts'

/** Talks to the front proxy's admin socket. Rejects when nothing answers. */
function adminRequest<T>(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 5_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const req = http.request(
      {
        socketPath,
        method,
        path,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          if ((res.statusCode ?? 500) >= 300) {
            reject(new Error(`front proxy admin ${method} ${path}: ${res.statusCode} ${text.trim()}`))
            return
          }
          try {
            resolve(JSON.parse(text) as T)
          } catch (error) {
            reject(error)
          }
        })
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`front proxy admin ${method} ${path}: timed out`)))
    req.on('error', reject)
    req.end(payload)
  })
}

export const getRouterState = (socket: string) =>
  adminRequest<RouterSnapshot>(socket, 'GET', '/state', undefined, 2_000)
export const putRoutes = (socket: string, table: RouteTable) =>
  adminRequest<RouterSnapshot>(socket, 'PUT', '/routes', table)
export const shutdownRouter = (socket: string) => adminRequest<{ ok: boolean }>(socket, 'POST', '/shutdown')
export const putMaintenance = (socket: string, maintenance: MaintenanceState | null) =>
  adminRequest<RouterSnapshot>(socket, 'PUT', '/maintenance', { maintenance })
