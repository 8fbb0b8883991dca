/**
 * A haproxy target in servers mode for CLI tests: one real HAProxy, gateway nodes run outside gwdeploy
 * (blue's two answer release 1's stamped name, green's two release 2's), gwdeploy.yml written.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import {
  type ExternalNode,
  type HaproxyInstance,
  haproxyConfig,
  startGatewayNode,
  startHaproxy,
} from '../providers/haproxy/helpers.ts'

export interface ServersTarget {
  project: Project
  lb: HaproxyInstance
  nodes: ExternalNode[]
}

/** `e2e rev-<sha7>`: the stamped name of release n. */
export const releaseName = (n: number) => `e2e rev-${sha(n).slice(0, 7)}`

/** Registers the file's before/after; the object is filled in once `before` has run. */
export function serversTarget(): ServersTarget {
  const target = { nodes: [] as ExternalNode[] } as ServersTarget
  before(async () => {
    target.project = await makeProject()
    target.lb = await startHaproxy()
    for (const n of [1, 1, 2, 2])
      target.nodes.push(await startGatewayNode(releaseName(n), target.project.dir))
    const address = (i: number) => target.nodes[i]?.address ?? ''
    const servers = { blue: [address(0), address(1)], green: [address(2), address(3)] }
    const config = haproxyConfig({ instances: [target.lb], servers })
    await writeFile(join(target.project.dir, 'gwdeploy.yml'), stringify(config))
  })
  after(async () => {
    await target.project?.cleanup()
    for (const node of target.nodes) await node.stop()
    await target.lb?.stop()
  })
  return target
}
