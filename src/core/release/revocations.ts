/**
 * Revocations follow traffic. auth/revoker keeps revoked tokens in each node's memory, so a colour
 * that starts taking traffic would accept again what the serving nodes refuse. Before a colour's
 * weight goes up from 0 it gets every revocation the colours serving now hold (each serving
 * node's filter read with Snapshot, ORed into each of its nodes with Union); once a colour's weight
 * is down to 0, what it took meanwhile is ORed into the colours that serve. Union only ever adds.
 */
import {
  COLOURS,
  type Colour,
  type Fleet,
  type RevokerEndpoint,
  type Weights,
} from '../../providers/types.ts'
import { healthGateError } from '../errors.ts'
import { type EngineContext, info, type Run, warn } from './context.ts'

/** Each RPC (connect, Snapshot, Union) gets this long. */
const CALL_TIMEOUT_MS = 10_000

/** Runs told that gwdeploy cannot reach the nodes (each route would repeat it). */
const toldUnreachable = new WeakSet<Run>()

const gaining = (from: Weights, to: Weights) => COLOURS.filter((c) => from[c] === 0 && to[c] > 0)
const serving = (weights: Weights) => COLOURS.filter((c) => weights[c] > 0)

function fleetOf(run: Run, colour: Colour): Fleet | undefined {
  const fleet = colour === run.green ? run.greenFleet : run.previous
  return fleet?.colour === colour ? fleet : run.state.fleets[colour]
}

/** The run's own artifact (a stamped config, not a fleet taken as it is) says whether green has a revoker. */
const runsNoRevoker = (run: Run, fleet: Fleet) =>
  fleet.colour === run.green && run.artifact.configText !== '' && run.artifact.revokerPort === undefined

/**
 * Whether the run's nodes have a revoker: its artifact says so; a rollback's or promote's run has no
 * artifact of its own, and the nodes name their revoker port (`revoker` in their meta).
 */
const runsRevoker = (run: Run, fleets: Fleet[]) =>
  run.artifact.revokerPort !== undefined ||
  (run.artifact.configText === '' && fleets.some((f) => f.nodes.some((n) => n.meta?.revoker !== undefined)))

const fleetsOf = (run: Run, colours: Colour[]) =>
  colours.map((c) => fleetOf(run, c)).filter((f): f is Fleet => f !== undefined)

/** Before routing `next`: into every colour about to get its first traffic. A node that cannot take them fails the gate. */
export async function carryBeforeRoute(ctx: EngineContext, run: Run, next: Weights): Promise<void> {
  const from = serving(run.weights)
  if (from.length === 0) return
  for (const colour of gaining(run.weights, next)) {
    // A rollback goes back whatever happens: a revoker that does not answer is reported, not fatal.
    if (run.operation === 'rollback') await carryOrWarn(ctx, run, fleetsOf(run, from), fleetOf(run, colour))
    else await carry(ctx, run, fleetsOf(run, from), fleetOf(run, colour), 'fail')
  }
}

/** After routing from `before` to `run.weights`: what the colours left without traffic took goes to the ones serving. */
export async function carryAfterRoute(ctx: EngineContext, run: Run, before: Weights): Promise<void> {
  const left = COLOURS.filter((c) => before[c] > 0 && run.weights[c] === 0)
  if (left.length === 0) return
  for (const colour of serving(run.weights))
    await carryOrWarn(ctx, run, fleetsOf(run, left), fleetOf(run, colour))
}

/** Nodes that replace gone ones of the live colour get what the others hold, before the route names them. */
export async function carryWithin(ctx: EngineContext, run: Run, fleet: Fleet): Promise<void> {
  await carryOrWarn(ctx, run, [fleet], fleet)
}

/** Where traffic has moved already (or must move whatever happens): nothing here stops the run. */
async function carryOrWarn(ctx: EngineContext, run: Run, sources: Fleet[], into: Fleet | undefined) {
  try {
    await carry(ctx, run, sources, into, 'warn')
  } catch (error) {
    warn(ctx, `auth/revoker: revocations were not carried into ${into?.colour}: ${(error as Error).message}`)
  }
}

type RevocationClient = typeof import('../../gateway/revoker/revocation-client.ts')
const client = (): Promise<RevocationClient> => import('../../gateway/revoker/revocation-client.ts')

/** Every readable node's filter; one that cannot be read is a warning (its peers usually hold the same). */
async function readFilters(ctx: EngineContext, origins: RevokerEndpoint[]): Promise<Uint8Array[]> {
  const { readRevocations } = await client()
  const filters: Uint8Array[] = []
  for (const origin of origins) {
    try {
      filters.push(await readRevocations(origin, CALL_TIMEOUT_MS))
    } catch (error) {
      warn(ctx, `auth/revoker: could not read the revocations of ${origin.node}: ${(error as Error).message}`)
    }
  }
  return filters
}

/** ORs every filter into every target: `refused` are Union's own refusals (another filter shape), `failed` the rest. */
async function mergeFilters(targets: RevokerEndpoint[], filters: Uint8Array[]) {
  const { mergeRevocations, GoRpcError } = await client()
  const failed: string[] = []
  const refused: string[] = []
  await Promise.all(
    targets.map(async (target) => {
      try {
        for (const filter of filters) await mergeRevocations(target, filter, CALL_TIMEOUT_MS)
      } catch (error) {
        const said = `${target.node} (${target.host}:${target.port}): ${(error as Error).message}`
        ;(error instanceof GoRpcError ? refused : failed).push(said)
      }
    }),
  )
  return { failed, refused }
}

async function carry(
  ctx: EngineContext,
  run: Run,
  fleets: Fleet[],
  into: Fleet | undefined,
  onFailure: 'fail' | 'warn',
): Promise<void> {
  const { provider } = ctx.target
  if (!into || fleets.length === 0 || runsNoRevoker(run, into)) return
  const destination = into.colour
  const what = `${fleets.map((f) => f.colour).join(' and ')} into ${destination}`
  if (!provider.revokerEndpoints) {
    // Each said once per run: the routes after the first would only repeat it.
    if (!runsRevoker(run, [...fleets, into]) || toldUnreachable.has(run)) return
    toldUnreachable.add(run)
    if (provider.capabilities.nodesPullRevocations)
      return info(
        ctx,
        run.artifact.configText === ''
          ? `auth/revoker: ${provider.id} nodes pull each other's revocations themselves: ${destination}'s have pulled from ${fleets.map((f) => f.colour).join(' and ')}'s while both ran (a runtime from before they pulled back does not)`
          : `auth/revoker: ${provider.id} nodes pull each other's revocations themselves: ${destination}'s took the running nodes' before serving, and the nodes keep pulling from each other while both colours run`,
      )
    return warn(
      ctx,
      `auth/revoker: revocations held by ${what} are not carried: ${provider.id} nodes' revoker ports are not reachable from gwdeploy; send revocations to the new nodes too`,
    )
  }
  // Why a forward through the provider failed (a port-forward refused) arrives here, not in the RPC error.
  const options = {
    signal: ctx.signal,
    progress: (message: string) =>
      ctx.reporter.emit({ type: 'progress', step: 'shift', message: `auth/revoker: ${message}` }),
  }
  const targets = await provider.revokerEndpoints(into, options)
  if (targets.length === 0) return
  const origins = (await Promise.all(fleets.map((f) => provider.revokerEndpoints?.(f, options) ?? []))).flat()
  if (origins.length === 0) return
  const filters = await readFilters(ctx, origins)
  if (filters.length === 0) return
  const { failed, refused } = await mergeFilters(targets, filters)
  if (refused.length > 0) {
    // Bits only carry between filters of one n, p and hash: a release that resized its filter starts empty.
    warn(
      ctx,
      `auth/revoker: revocations of ${what} cannot be carried, the filters differ (the config's n, p or hash_name changed?): ${refused.join('; ')}; send revocations to ${destination} again`,
    )
  }
  if (failed.length === 0) {
    if (refused.length > 0) return
    info(
      ctx,
      `auth/revoker: revocations of ${filters.length} node(s) carried from ${what} (${targets.length} node(s))`,
    )
    return
  }
  const message = `auth/revoker: ${destination} did not take the revocations of ${fleets.map((f) => f.colour).join(' and ')}: ${failed.join('; ')}`
  if (onFailure === 'warn') return warn(ctx, message)
  throw healthGateError(message, {
    hint: `Every node must take the revocations before traffic reaches it (a token revoked on ${fleets[0]?.colour} would pass again). Check the nodes' revoker ports, then re-run.`,
    details: { colour: destination, failed },
  })
}
