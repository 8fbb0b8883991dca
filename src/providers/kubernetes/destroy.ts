/** `destroy`: the target's Services (not another target's, nor foreign ones) and both Deployments. */
import { sleep } from '../../health/gate.ts'
import { COLOURS, type OperationOptions } from '../types.ts'
import { type KubeApi, POLL_MS } from './api.ts'
import { type KubeClient, unlessNotFound } from './client.ts'
import { deploymentName } from './names.ts'
import { targetServices } from './ownership.ts'
import type { KubeSettings } from './settings.ts'

export async function destroyTarget(
  api: KubeApi,
  settings: KubeSettings,
  options: OperationOptions,
): Promise<void> {
  const { names } = settings
  const ns = names.namespace
  const remove = async (what: string, fn: (c: KubeClient) => Promise<unknown>) => {
    options.progress?.(`deleting ${what}`)
    await api.call(`delete ${what}`, (c) => unlessNotFound(() => fn(c)))
  }
  // Another target's Service of the same name (its preview Service is named like this target's
  // live one) or one gwdeploy did not create is left alone.
  for (const service of await targetServices(api, settings)) {
    const where = `Service ${ns}/${service.name}`
    if (service.foreign) options.progress?.(`leaving ${where}: it is ${service.foreign}`)
    else if (service.exists)
      await remove(where, (c) => c.core.deleteNamespacedService({ name: service.name, namespace: ns }))
  }
  for (const colour of COLOURS) {
    options.progress?.(`deleting Deployment ${ns}/${deploymentName(names, colour)}`)
    await api.deleteDeployment(colour)
  }
  // Foreground deletion: a Deployment stays readable (with a deletionTimestamp) until its
  // ReplicaSets and pods are gone. Wait a bounded time so `destroy` ends with them gone.
  const deadline = Date.now() + settings.drainGraceMs + settings.drainTimeoutMs + 30_000
  for (;;) {
    const left = []
    for (const colour of COLOURS)
      if (await api.readDeployment(colour)) left.push(deploymentName(names, colour))
    if (left.length === 0) return
    if (Date.now() > deadline) {
      options.progress?.(`${left.join(', ')} still terminating; Kubernetes finishes the job`)
      return
    }
    await sleep(POLL_MS, options.signal)
  }
}
