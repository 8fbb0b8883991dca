/**
 * The maintenance switch across every HAProxy instance (the page as data is maintenance.ts, the
 * runtime and file changes router.ts): each instance loads the page, reloading when it must, before
 * any map entry flips, and the flip is all or none. Also which page is being served, read back.
 */
import { providerError, usageError } from '../../core/errors.ts'
import type { MaintenanceState, OperationOptions } from '../types.ts'
import type { HaproxyInstance } from './instance.ts'
import { MAINTENANCE_OFF, pageToken } from './maintenance.ts'
import type { HaproxyRouter } from './router.ts'
import type { StateStore } from './state.ts'

/**
 * The page the instances' map entries name, as gwdeploy recorded it. On when any instance serves a
 * page (a half-done switch shows as on; `maintenance off` sets them all).
 */
export async function servedMaintenance(
  store: StateStore,
  entries: string[],
): Promise<MaintenanceState | null> {
  const token = entries.find((entry) => entry !== MAINTENANCE_OFF)
  if (!token) return null
  const saved = (await store.read()).maintenance
  if (saved && pageToken(saved) === token) return saved
  return {
    status: 0,
    contentType: 'unknown',
    body: '',
    since: 'unknown',
    by: `unknown (the map's maintenance entry is ${token}, not a page gwdeploy recorded)`,
  }
}

/**
 * Every instance loads the page first (file + rule, a reload through masterSocket when the
 * running process lacks the rule); only then the map entry flips on each, all or none.
 */
export async function switchMaintenance(
  router: HaproxyRouter,
  store: StateStore,
  frontend: string,
  state: MaintenanceState | null,
  options: OperationOptions,
  warn: (message: string) => void,
): Promise<void> {
  const views = await router.views()
  const value = state ? pageToken(state) : MAINTENANCE_OFF
  if (state) {
    const served = await servedMaintenance(
      store,
      views.map((view) => view.maintenance),
    )
    const pages = served && served.status > 0 && pageToken(served) !== value ? [served, state] : [state]
    for (const instance of router.instances) {
      await instance.preparePages(pages, frontend).catch((error: Error) => {
        // HAProxy answers from one buffer: the page must fit in it with its headers.
        if (/exceeds the buffer size/.test(error.message))
          throw usageError(`HAProxy ${instance.name} cannot serve a page this large: ${error.message}`, {
            hint: 'Shorten the page, or raise `tune.bufsize` in the global section of haproxy.cfg (and reload). Nothing changed.',
          })
        throw error
      })
      if ((await instance.loadedPages()).has(value)) continue
      if (!instance.spec.master)
        throw providerError(
          `HAProxy ${instance.name} has not loaded this maintenance page yet (nothing changed for clients)`,
          {
            hint: `${instance.spec.files.configFile} now holds it: reload HAProxy (e.g. \`systemctl reload haproxy\`) and run the command again; or set provider.haproxy.instances[].masterSocket so gwdeploy reloads it.`,
          },
        )
      await instance.reloadToLoad('the page', 'Nothing changed for clients.', options.progress)
      if (!(await instance.loadedPages()).has(value))
        throw providerError(`HAProxy ${instance.name} reloaded but does not have the maintenance rule`, {
          hint: `Check that ${instance.spec.files.configFile} is the file this HAProxy runs.`,
        })
    }
    await store.update((saved) => {
      saved.maintenance = state
    })
  }
  const done: Array<{ instance: HaproxyInstance; previous: string }> = []
  for (const [index, instance] of router.instances.entries()) {
    const previous = views[index]?.maintenance ?? MAINTENANCE_OFF
    try {
      await instance.setMaintenance(value)
      done.push({ instance, previous })
    } catch (error) {
      for (const undo of done.reverse()) await undo.instance.setMaintenance(undo.previous).catch(() => {})
      throw error
    }
  }
  await keepOnlyServedPage(router, frontend, state, warn)
}

/**
 * The switch is done: the rules of pages no longer served (the one replaced, every one after
 * `off`) leave every instance's haproxy.cfg, then the files no config names go (a page file may
 * sit in a directory several instances' configs name it from). The running HAProxy keeps what it
 * loaded until its next reload, and clients are not affected either way, so a failure is a
 * warning, not the command's.
 */
async function keepOnlyServedPage(
  router: HaproxyRouter,
  frontend: string,
  state: MaintenanceState | null,
  warn: (message: string) => void,
): Promise<void> {
  const configFiles = router.instances.map((instance) => instance.spec.files.configFile)
  const notRemoved = (instance: HaproxyInstance) => (error: Error) => {
    warn(
      `HAProxy ${instance.name}: maintenance is switched, but the rules or files of pages no longer served were not removed: ${error.message}`,
    )
  }
  const rewritten: HaproxyInstance[] = []
  for (const instance of router.instances)
    await instance
      .keepOnlyRules(state ? [state] : [], frontend)
      .then(() => rewritten.push(instance), notRemoved(instance))
  for (const instance of rewritten) await instance.removeUnnamedPages(configFiles).catch(notRemoved(instance))
}
