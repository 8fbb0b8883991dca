/**
 * What `status` says when nodes were removed outside gwdeploy (a Deployment deleted or scaled to 0,
 * containers removed, instances terminated), from what the provider reports: every colour that gets
 * traffic has no node left (nothing is served), or the colour kept for rollback is gone (rollback
 * is a redeploy, no longer a switch). The same words on every provider.
 */
import type { Colour, FleetlessColour, ReleaseRecord, TargetState } from '../providers/types.ts'
import { isCompleted } from './records.ts'
import { rollbackTarget } from './release/rollback.ts'

/** What `gwdeploy rollback` would do now: switch to a colour that is up, or redeploy the SHA as recorded. */
export interface RollbackView {
  sha: string
  how: 'switch' | 'redeploy'
  /** The colour it switches to (`switch` only). */
  colour?: Colour | undefined
}

/** The facts of a status these verdicts read (a subset of StatusResult, so they stay pure). */
export interface ServedFacts {
  colours: Array<{
    colour: Colour
    weight: number
    sha: string
    keepUntil?: string | undefined
    nodes: Array<{ id: string; provider: string; providerDetail?: string | undefined }>
  }>
  fleetless?: FleetlessColour[] | undefined
  rollback?: RollbackView | null | undefined
  lastRelease?: { sha?: string | undefined } | undefined
}

const sha7 = (sha: string) => sha.slice(0, 7)

/** A colour with nodes, none of which is there any more (the provider reports each `gone`). */
const allGone = (nodes: ServedFacts['colours'][number]['nodes']) => nodes.every((n) => n.provider === 'gone')

/** Why a colour's nodes are gone, in the provider's words for the first one. */
function goneWhy(colour: ServedFacts['colours'][number]): string {
  const first = colour.nodes[0]
  const detail = first ? ` (${first.id}: ${first.providerDetail ?? 'gone'})` : ''
  return `none of its ${colour.nodes.length} node(s) is left${detail}`
}

export function rollbackView(
  state: TargetState,
  records: readonly ReleaseRecord[],
  colours: ServedFacts['colours'],
): RollbackView | null {
  const back = rollbackTarget(state, records)
  if (!back) return null
  const up = back.fleet && colours.find((c) => c.colour === back.fleet?.colour)
  // A colour with a node left is switched to (after a quick check; a failing one is redeployed).
  if (up && !allGone(up.nodes)) return { sha: back.sha, how: 'switch', colour: up.colour }
  return { sha: back.sha, how: 'redeploy' }
}

/** What `gwdeploy rollback` does, for a hint or the status line. */
export function describeRollback(rollback: RollbackView): string {
  return rollback.how === 'switch'
    ? `\`gwdeploy rollback\` switches all traffic to ${rollback.colour} (${sha7(rollback.sha)})`
    : `\`gwdeploy rollback\` redeploys ${sha7(rollback.sha)} as recorded (a new deploy, not an instant switch)`
}

/**
 * Every colour that gets traffic has no node left: its fleet removed (the provider's `fleetless`)
 * or each node gone. Undefined while a node that gets traffic is there (unhealthy is exit 4).
 */
export function nothingLeftServing(
  facts: ServedFacts,
): { why: string; sha: string | undefined; hint: string } | undefined {
  const receiving = facts.colours.filter((c) => c.weight > 0)
  const fleetless = (facts.fleetless ?? []).filter((f) => f.weight > 0)
  if (receiving.length + fleetless.length === 0) return undefined
  if (!receiving.every((c) => allGone(c.nodes))) return undefined
  const why = [
    ...fleetless.map((f) => `${f.colour} gets ${f.weight}% of requests, but ${f.why}`),
    ...receiving.map((c) => `${c.colour} (${sha7(c.sha)}) gets ${c.weight}% of requests, but ${goneWhy(c)}`),
  ].join('; ')
  const sha = receiving[0]?.sha ?? facts.lastRelease?.sha
  const ways = [
    ...(facts.rollback ? [describeRollback(facts.rollback)] : []),
    ...(sha ? [`\`gwdeploy release --sha ${sha}\` brings ${sha7(sha)} back`] : []),
    ...fleetless.flatMap((f) => (f.restore ? [f.restore] : [])),
  ]
  return {
    why,
    sha,
    hint: `${ways.join('; or ') || '`gwdeploy release --sha SHA` deploys a release'}.`,
  }
}

/** What keptGoneWarning needs beyond the facts: how long finalize keeps a colour, the provider's resource names. */
export interface KeptContext {
  /** `shift.keep`: the keep-until of a colour whose annotation went with it is its record's time plus this. */
  keepMs: number
  /** The resource that held a colour's fleet (`Deployment ns/x-green`), when the provider names one. */
  resource?: ((colour: Colour) => string) | undefined
}

/**
 * The colour kept for rollback, gone: the newest record is the live release's (or rollback's), it
 * kept `previous`, nothing retired it since, and no node of it is left. Rollback then redeploys it.
 */
export function keptGoneWarning(
  facts: ServedFacts,
  records: readonly ReleaseRecord[],
  context: KeptContext,
): string | undefined {
  const rollback = facts.rollback
  if (rollback?.how !== 'redeploy') return undefined
  const newest = records[0]
  const kept = newest && isCompleted(newest) ? newest.previous : undefined
  if (!kept || kept.sha !== rollback.sha) return undefined
  const fleetless = facts.fleetless?.find((f) => f.colour === kept.colour && f.weight === 0)
  const colour = facts.colours.find((c) => c.colour === kept.colour)
  const resource = context.resource?.(kept.colour)
  const why = fleetless
    ? fleetless.why
    : colour
      ? colour.sha === kept.sha && colour.weight === 0 && allGone(colour.nodes)
        ? goneWhy(colour)
        : undefined
      : resource
        ? `its ${resource} does not exist (deleted outside gwdeploy)`
        : `no ${kept.colour} node runs it any more (removed outside gwdeploy)`
  if (!why) return undefined
  // The annotation says when; a fleet removed whole took it along: finalize set it at the record's time.
  const until =
    fleetless?.keepUntil ??
    colour?.keepUntil ??
    (newest?.time ? new Date(Date.parse(newest.time) + context.keepMs).toISOString() : undefined)
  const expired = until && Date.parse(until) < Date.now() ? ', expired' : ''
  const restore = fleetless?.restore ? `; ${fleetless.restore} makes it a switch again` : ''
  return `${kept.colour} (${sha7(kept.sha)}) is kept for rollback${until ? ` until ${until}${expired}` : ''}, but ${why}: ${describeRollback(rollback)}${restore}`
}
