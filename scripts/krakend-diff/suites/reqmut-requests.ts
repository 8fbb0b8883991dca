// Shared pieces of the reqmut suite's cases (reqmut.cases.ts): tokens signed with the recording
// backend's keys, and the ways a case writes its request (raw bytes, or fields run.ts sends).
import { sign } from '../backend.ts'
import type { Case } from '../run.ts'

export type Fields = Array<[string, string]>
export const hs = (claims: object, kid = 'h1') => sign(claims, { alg: 'HS256', kid })
export const GOOD = hs({ sub: 'u1' })
export const NOSUB = hs({ name: 'n' })
export const BAD = hs({ sub: 'u1' }, 'r1')
export const ADMIN = hs({ sub: 'a1', roles: ['admin'] })
export const USER = hs({ sub: 'u2', roles: ['user'] })

/** A request written as given: `Host: localhost` first and `Connection: close` last unless told. */
export function raw(
  method: string,
  target: string,
  fields: string[],
  body = '',
  version = 'HTTP/1.1',
): string {
  return `${method} ${target} ${version}\r\n${fields.map((f) => `${f}\r\n`).join('')}\r\n${body}`
}
export const h1 = (target: string, fields: string[] = [], method = 'GET', body = ''): Case => ({
  path: target,
  raw: raw(method, target, ['Host: localhost', ...fields, 'Connection: close'], body),
})
export const sized = (target: string, body: string, fields: string[] = []): Case =>
  h1(target, [...fields, `Content-Length: ${Buffer.byteLength(body, 'latin1')}`], 'POST', body)
export const get = (path: string, headers: Fields = [], extra: Partial<Case> = {}): Case => ({
  path,
  headers,
  ...extra,
})
export const auth = (value: string): Fields => [['Authorization', value]]

export const cookie = (value: string): Fields => [['Cookie', value]]
export const ua = (value: string): Fields => [['User-Agent', value]]
export const host = (value: string): Fields => [['Host', value]]
export const origin = (value: string): Fields => [['Origin', value]]
export const preflight = (o: string, m = 'GET', extra: Fields = []): Case => ({
  method: 'OPTIONS',
  path: '/open',
  headers: [...origin(o), ['Access-Control-Request-Method', m], ...extra],
})
// A second request hidden behind the first must meet its own guard.
export const GUARDED = 'GET /jwt HTTP/1.1\r\nHost: localhost\r\n\r\n'
