/**
 * `provider.haproxy.serverOptions` reach HAProxy only when it loads haproxy.cfg: the runtime API
 * moves a slot (`set server ... addr`, `state`) but gives it no new check settings. A colour
 * whose block carried other options than the configured ones would be gated with the old ones,
 * and the next reload would apply the new ones untested (a wrong check port: every server DOWN,
 * 503 to every request). So a change of options is loaded by a reload of each instance after its
 * block is written and before the health gate — through `masterSocket` — and is refused before
 * anything starts on an instance without one.
 */
import { readFile } from 'node:fs/promises'
import { providerError } from '../../core/errors.ts'
import { blockServerOptions } from './hand-edits.ts'
import type { HaproxyInstance } from './instance.ts'

const normal = (options: string) => options.trim().split(/\s+/).join(' ')

/**
 * The instances whose `backend` block carries other server options than `serverOptions` (what
 * they loaded, as gwdeploy wrote it last); throws, changing nothing, when one has no master CLI.
 */
export async function instancesToReload(
  instances: readonly HaproxyInstance[],
  backend: string,
  serverOptions: string,
): Promise<Set<HaproxyInstance>> {
  const changed = new Map<HaproxyInstance, string>()
  for (const instance of instances) {
    const text = await readFile(instance.spec.files.configFile, 'utf8').catch(() => undefined)
    const loaded = text === undefined ? undefined : blockServerOptions(text, backend)
    if (loaded !== undefined && loaded !== normal(serverOptions)) changed.set(instance, loaded)
  }
  const manual = [...changed].filter(([instance]) => !instance.spec.master)
  const [first] = manual
  if (first) {
    const [instance, loaded] = first
    throw providerError(
      `provider.haproxy.serverOptions is "${normal(serverOptions)}", but HAProxy ${manual.map(([i]) => i.name).join(', ')} runs the servers of backend ${backend} with "${loaded}" (${instance.spec.files.configFile}): HAProxy applies server options only when it loads haproxy.cfg, so the health gate would check the new nodes with the old ones and the next reload would apply the new ones untested. Nothing was started`,
      {
        hint: 'Set provider.haproxy.instances[].masterSocket (haproxy -W -S) so gwdeploy reloads HAProxy to load them before the health gate; or write them on the server lines of the "# BEGIN gwdeploy servers" blocks yourself and reload HAProxy; or put serverOptions back.',
      },
    )
  }
  return new Set(changed.keys())
}
