/**
 * Whose container is it? Containers are listed by `gwdeploy.target=<target>`, but two gwdeploy
 * projects can use the same target name on one Docker host (two teams that both called their
 * service `api`). A container is this target's when it carries this target's id
 * (`gwdeploy.target-id`, kept in the target's state file), or — made by a gwdeploy from before
 * target ids — when this target's own fleet record names it (same host, same container id).
 * Anything else is another target's: gwdeploy refuses to adopt, stop or remove it (pure).
 */
import { configError, type GwError } from '../../core/errors.ts'
import type { Colour } from '../types.ts'
import { LABEL } from './container-spec.ts'
import type { FleetRecord } from './state.ts'

/** One container a Docker host listed for this target's name. */
export interface ListedContainer {
  /** The Docker host as configured (`dockerHosts[].host`). */
  host: string
  /** Full container id. */
  id: string
  name: string
  labels: Record<string, string>
}

/** What this target's state says it owns. */
export interface OwnState {
  targetId?: string | undefined
  fleets: Partial<Record<Colour, FleetRecord>>
}

export type Owner =
  | { owner: 'this' }
  /** Labelled with another target's id. */
  | { owner: 'other'; targetId: string }
  /** No target id, and this target's fleet record does not name it. */
  | { owner: 'unknown' }

export function ownerOf(container: ListedContainer, own: OwnState): Owner {
  const labelled = container.labels[LABEL.targetId]
  if (labelled) return labelled === own.targetId ? { owner: 'this' } : { owner: 'other', targetId: labelled }
  const recorded = Object.values(own.fleets).some((record) =>
    record?.nodes.some((node) => {
      const id = node.meta?.container
      return (
        node.meta?.host === container.host &&
        typeof id === 'string' &&
        id !== '' &&
        container.id.startsWith(id)
      )
    }),
  )
  return recorded ? { owner: 'this' } : { owner: 'unknown' }
}

export interface StrangerContainer extends ListedContainer {
  owner: Exclude<Owner, { owner: 'this' }>
}

/**
 * The refusal (exit 2, nothing changed): which Docker host(s) hold whose containers for this
 * target's name, and how to get out of it.
 */
export function strangersError(
  strangers: StrangerContainer[],
  context: { target: string; targetId: string | undefined; stateFile: string },
): GwError {
  const hosts = [...new Set(strangers.map((c) => c.host))]
  const ids = [...new Set(strangers.flatMap((c) => (c.owner.owner === 'other' ? [c.owner.targetId] : [])))]
  const unlabelled = strangers.filter((c) => c.owner.owner === 'unknown')
  const ours = context.targetId
    ? `this target's id is ${context.targetId}, in ${context.stateFile}`
    : `this target has no id yet: ${context.stateFile} holds none`
  const restore = ids.length
    ? ` If the labelled containers are this target's own (its state file was lost or replaced), put \`"targetId": "${ids[0]}"\` back into ${context.stateFile}.`
    : ''
  const legacy = unlabelled.length
    ? ` Containers without a target id were made by an older gwdeploy and are not in ${context.stateFile}: if they are this target's, remove them (\`docker rm -f ${unlabelled.map((c) => c.name).join(' ')}\`) and run the command again.`
    : ''
  return configError(
    `haproxy: the Docker host${hosts.length > 1 ? 's' : ''} ${hosts.join(', ')} already run${hosts.length > 1 ? '' : 's'} gwdeploy containers of another target named "${context.target}" (${ours}); gwdeploy does not adopt, stop or remove them, and changed nothing`,
    {
      location: { file: 'gwdeploy.yml', path: 'service' },
      problems: strangers.map((c) => ({
        message: `${c.host}: container ${c.name} (${c.owner.owner === 'other' ? `${LABEL.targetId} ${c.owner.targetId}` : `no ${LABEL.targetId} label, not in this target's fleet record`})`,
      })),
      hint: `Two gwdeploy projects use the target name "${context.target}" on the same Docker host. Give this one its own \`service\` in gwdeploy.yml (or its own env), or run it on another Docker host.${restore}${legacy}`,
    },
  )
}
