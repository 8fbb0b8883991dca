/**
 * What one HAProxy instance runs, read and checked before gwdeploy relies on it: its haproxy.cfg
 * set up for gwdeploy and not routing another target through these backends, the map the running
 * HAProxy knows, and each backend's slot servers.
 */
import { readFile } from 'node:fs/promises'
import { configError, type Problem, providerError } from '../../core/errors.ts'
import { blockOwner, configProblems, mapOwner, SLOT_SERVER, weightsFromEntries } from './config-file.ts'
import type { InstanceSpec, InstanceView, RouterSettings } from './instance.ts'
import { MAINTENANCE_KEY, MAINTENANCE_OFF } from './maintenance.ts'
import {
  describeSocket,
  parseMapEntries,
  parseServersState,
  runtimeCommand,
  type ServerState,
  socketHint,
} from './runtime-api.ts'

/** The instance as this reading needs it (instance.ts). */
interface ViewedInstance {
  name: string
  spec: InstanceSpec
  command(command: string): Promise<string>
}

/** Reads and checks everything gwdeploy relies on; throws a provider error naming what is wrong. */
export async function readInstanceView(
  instance: ViewedInstance,
  settings: RouterSettings,
  text: string,
): Promise<InstanceView> {
  const { backends, frontend } = settings
  const problems = configProblems(text, {
    frontend,
    backends,
    mapFile: instance.spec.files.mapReference,
  })
  if (problems.length) {
    throw providerError(
      `HAProxy ${instance.name}: ${instance.spec.files.configFile} is not set up for gwdeploy`,
      {
        problems: problems.map((message) => ({
          message,
          location: { file: instance.spec.files.configFile },
        })),
        hint: 'Compare it with the haproxy.cfg `gwdeploy init --provider haproxy` writes (README, "### haproxy").',
      },
    )
  }
  await checkOwners(instance, settings, text)
  const mapAnswer = await runtimeCommand(
    instance.spec.socket,
    `show map ${instance.spec.files.mapReference}`,
  ).catch((error: Error) => {
    throw providerError(
      `HAProxy ${instance.name}: runtime API at ${describeSocket(instance.spec.socket)} is not reachable: ${error.message}`,
      {
        hint: socketHint(error, 'Check provider.haproxy.instances[].socket and that HAProxy is running.'),
        details: { unreachable: instance.name },
      },
    )
  })
  if (/Unknown map|Permission denied/i.test(mapAnswer)) {
    throw providerError(
      `HAProxy ${instance.name}: the running HAProxy does not know the map ${instance.spec.files.mapReference}: ${mapAnswer.trim()}`,
      {
        hint: 'provider.haproxy.instances[].mapFile must be the path haproxy.cfg names in `map(...)`; reload HAProxy if haproxy.cfg changed.',
      },
    )
  }
  const entries = parseMapEntries(mapAnswer)
  const weights = weightsFromEntries(entries)
  if (!weights) {
    throw providerError(
      `HAProxy ${instance.name}: the map ${instance.spec.files.mapReference} holds no valid blue/green entries: ${mapAnswer.trim()}`,
      { hint: 'Its entries must be `blue <0-100>` and `green <0-100>` (gwdeploy init writes one).' },
    )
  }
  const servers = { blue: [] as ServerState[], green: [] as ServerState[] }
  for (const colour of ['blue', 'green'] as const) {
    const answer = await instance.command(`show servers state ${backends[colour]}`)
    servers[colour] = parseServersState(answer).filter((s) => SLOT_SERVER.exec(s.name)?.[1] === colour)
    if (servers[colour].length === 0) {
      throw providerError(
        `HAProxy ${instance.name}: backend ${backends[colour]} has no ${colour}1..${colour}N slot servers`,
        {
          hint: `The running config predates gwdeploy's server block: reload HAProxy (its config file has the "# BEGIN gwdeploy servers" block of provider.haproxy.backends.${colour}).`,
        },
      )
    }
  }
  return {
    name: instance.name,
    weights,
    servers,
    maintenance: entries.get(MAINTENANCE_KEY) ?? MAINTENANCE_OFF,
  }
}

/**
 * Refuses (exit 2, nothing changed) when the backends' gwdeploy blocks or the map name another
 * gwdeploy target: two targets configured with the same backends would take each other's
 * traffic over and tear down each other's colour kept for rollback.
 */
async function checkOwners(instance: ViewedInstance, settings: RouterSettings, text: string): Promise<void> {
  const { backends, target } = settings
  const { configFile, mapFile } = instance.spec.files
  const foreign: Problem[] = []
  const others = new Set<string>()
  for (const colour of ['blue', 'green'] as const) {
    const owner = blockOwner(text, backends[colour])
    if (!owner || owner.target === target) continue
    others.add(owner.target)
    foreign.push({
      message: `backend ${backends[colour]} (provider.haproxy.backends.${colour}) is managed by gwdeploy for target "${owner.target}"`,
      location: { file: configFile, line: owner.line },
    })
  }
  const mapTarget = mapOwner(await readFile(mapFile, 'utf8').catch(() => ''))
  if (mapTarget && mapTarget !== target) {
    others.add(mapTarget)
    foreign.push({
      message: `the map ${mapFile} (provider.haproxy.instances[].mapFile) is managed by gwdeploy for target "${mapTarget}"`,
      location: { file: mapFile },
    })
  }
  if (!foreign.length) return
  const names = [...others].map((name) => `"${name}"`).join(', ')
  throw configError(
    `HAProxy ${instance.name}: ${configFile} routes another gwdeploy target (${names}) through these backends; target "${target}" must not change that traffic, so gwdeploy changed nothing`,
    {
      location: { file: 'gwdeploy.yml', path: 'provider.haproxy.backends' },
      problems: foreign,
      hint: `Give "${target}" its own backends (each with a "# BEGIN gwdeploy servers" block) and its own frontend and map in haproxy.cfg, and name them in provider.haproxy.backends / frontend / instances[].mapFile. If ${names} is this target under an older name (service or env renamed), replace that name with "${target}" in the lines named above.`,
    },
  )
}
