// A listen that failed, said so the operator can act on it: the port's flag or the address setting.
import { configError } from '../core/errors.ts'

/**
 * What the operator can do about a listen failure (`flag` moves the port, `ipKey` names the
 * address setting); anything else is not theirs to fix.
 */
function listenHint(code: string | undefined, flag: string, ipKey: string): string | undefined {
  if (code === 'EADDRINUSE') return `choose another port with ${flag} or stop what uses it`
  if (code === 'EACCES') return 'ports below 1024 need privileges: choose a port from 1024 up'
  if (code === 'EADDRNOTAVAIL') return `${ipKey} must be an address of this machine (or 0.0.0.0)`
  return undefined
}

export function listenError(
  error: NodeJS.ErrnoException,
  at: { host: string; port: number; flag: string; ipKey: string },
): Error {
  const hint = listenHint(error.code, at.flag, at.ipKey)
  if (!hint) return error
  return configError(`cannot listen on ${at.host}:${at.port}: ${error.message}`, { hint })
}
