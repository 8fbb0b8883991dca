import { configError } from './errors.ts'

/**
 * A timeout an operator sets in seconds through an environment variable (GWDEPLOY_*_API_TIMEOUT):
 * unset or blank is `defaultSeconds`; anything but a number above 0 is a config error (exit 2).
 * Returned in milliseconds.
 */
export function secondsFromEnv(name: string, defaultSeconds: number, environment: NodeJS.ProcessEnv): number {
  const raw = environment[name]?.trim()
  if (!raw) return defaultSeconds * 1000
  const seconds = Number(raw)
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw configError(`${name}="${raw}" is not a number of seconds above 0`, {
      hint: `Unset it (default ${defaultSeconds}) or set a number of seconds, e.g. ${name}=60.`,
    })
  return Math.round(seconds * 1000)
}
