/**
 * What `status` says when nodes were removed outside gwdeploy (a Deployment deleted or scaled to 0,
 * containers removed, instances terminated) or died, from what the provider reports: every colour
 * that gets traffic has no node left (nothing is served), or the colour kept for rollback has no
 * live node (rollback is a redeploy, no longer a switch). The same words on every provider.
 */
import type { Colour, FleetlessColour, ReleaseRecord, TargetState } from '../providers/types.ts'
import { isCompleted } from './records.ts'
import { planRelease } from './release/plan.ts'
import { rollbackTarget } from './release/rollback-goal.ts'
import { retiring } from './release/unfinished-retire.ts'

/**
 * What `gwdeploy rollback` would do now: switch to a colour that is up, or redeploy the SHA as
 * recorded; `outside`: the colour's nodes run outside gwdeploy (haproxy `servers`) and none is live,
 * so it switches only once they answer again (gwdeploy cannot start them).
 */
export interface RollbackView {
  sha: string
  how: 'switch' | 'redeploy' | 'outside'
  /** The colour it switches to (`switch` and `outside`). */
  colour?: Colour | undefined
  /** Why a colour that runs the SHA is redeployed rather than switched to. */
  why?: string | undefined
}

/** The facts of a status these verdicts read (a subset of StatusResult, so they stay pure). */
export interface ServedFacts {
  colours: Array<{
    colour: Colour
    weight: number
    sha: string
    keepUntil?: string | undefined
    nodes: Array<{
      id: string
      provider: string
      providerDetail?: string | undefined
      /** The node's own answer on the health path, when gwdeploy reaches it. */
      health?: { ok: boolean; detail?: string | undefined } | undefined
    }>
  }>
  fleetless?: FleetlessColour[] | undefined
  rollback?: RollbackView | null | undefined
  lastRelease?: { sha?: string | undefined } | undefined
}

const sha7 = (sha: string) => sha.slice(0, 7)

type NodeFacts = ServedFacts['colours'][number]['nodes'][number]

/** A colour with nodes, none of which is there any more (the provider reports each `gone`). */
const allGone = (nodes: readonly NodeFacts[]) => nodes.every((n) => n.provider === 'gone')

/**
 * A node that serves nothing: gone (exited, removed, crash-looping), or not answering 200 on its
 * health path (a hung process or container the provider still counts as running), or, where
 * gwdeploy cannot reach it, unhealthy in the provider's view. A node still `starting` may come up.
 */
const isDead = (n: NodeFacts) =>
  n.provider === 'gone' ||
  (n.provider !== 'starting' && (n.health ? !n.health.ok : n.provider === 'unhealthy'))

/** No node of the colour is live: what `rollback` would switch to would serve nothing. */
export const noLiveNode = (nodes: readonly NodeFacts[]) => nodes.every(isDead)

/** Why a colour's nodes are gone, in the provider's words for the first one. */
function goneWhy(colour: ServedFacts['colours'][number]): string {
  const first = colour.nodes[0]
  const detail = first ? ` (${first.id}: ${first.providerDetail ?? 'gone'})` : ''
  return `none of its ${colour.nodes.length} node(s) is left${detail}`
}

/** Why a colour has no live node: all gone, or (some still there) the first dead one's words. */
function deadWhy(colour: ServedFacts['colours'][number]): string {
  if (allGone(colour.nodes)) return goneWhy(colour)
  const first = colour.nodes.find((n) => n.provider !== 'gone') ?? colour.nodes[0]
  // The provider's words when it sees the fault; else the node's own answer (it "runs", says nothing).
  const said =
    first?.provider === 'unhealthy' ? first.providerDetail : (first?.health?.detail ?? first?.providerDetail)
  const detail = first ? ` (${first.id}: ${said ?? first.provider})` : ''
  return `none of its ${colour.nodes.length} node(s) is live${detail}`
}

/** "is kept for rollback until T", said as past when the keep window is over. */
function keptUntil(purpose: string, until: string | undefined): string {
  if (!until) return `is kept${purpose}`
  return Date.parse(until) < Date.now()
    ? `was kept${purpose} until ${until} (expired)`
    : `is kept${purpose} until ${until}`
}

export function rollbackView(
  state: TargetState,
  records: readonly ReleaseRecord[],
  colours: ServedFacts['colours'],
  externalNodes = false,
): RollbackView | null {
  const back = rollbackTarget(state, records)
  if (!back) return null
  // A colour an unfinished retire was stopping is not switched to as it is: rollback redeploys it.
  if (retiring(records, back.fleet))
    return {
      sha: back.sha,
      how: 'redeploy',
      why: `the retire that did not finish may have half stopped ${back.fleet?.colour}`,
    }
  const up = back.fleet && colours.find((c) => c.colour === back.fleet?.colour)
  // A colour with a live node is switched to (after a quick check; a failing one is redeployed).
  // One whose nodes all died is redeployed: rollback's quick check fails it before any route.
  if (up && !noLiveNode(up.nodes)) return { sha: back.sha, how: 'switch', colour: up.colour }
  // Nodes gwdeploy does not run cannot be redeployed: rollback refuses until they answer again.
  if (up && externalNodes) return { sha: back.sha, how: 'outside', colour: up.colour }
  // Nor started: no colour runs the SHA, so rollback refuses until the idle colour's servers run it.
  if (externalNodes) {
    const onto = planRelease(state, { sha: back.sha, configDigest: '' }).green
    return { sha: back.sha, how: 'outside', colour: onto, why: NO_COLOUR_RUNS_IT }
  }
  return { sha: back.sha, how: 'redeploy' }
}

/** `why` of an `outside` rollback whose SHA no colour runs (its colour's servers run another release). */
export const NO_COLOUR_RUNS_IT = 'no colour runs it'

/**
 * What `gwdeploy rollback` would do, said once per kind of RollbackView: `line` is status's
 * `rollback:` line, `advice` the sentence hints give (what to do, then what rollback does).
 */
function rollbackWords(rollback: RollbackView): { line: string; advice: string } {
  const sha = sha7(rollback.sha)
  const colour = rollback.colour
  switch (rollback.how) {
    case 'switch':
      return {
        line: `switches to ${colour} (${sha})`,
        advice: `\`gwdeploy rollback\` switches all traffic to ${colour} (${sha})`,
      }
    case 'redeploy':
      return {
        line: `redeploys ${sha} as recorded (${rollback.why ?? NO_COLOUR_RUNS_IT})`,
        advice: `\`gwdeploy rollback\` redeploys ${sha} as recorded (a new deploy, not an instant switch)`,
      }
    case 'outside':
      return rollback.why === NO_COLOUR_RUNS_IT
        ? {
            line: `moves all traffic to ${colour} (${sha}) once ${colour}'s servers run it (no colour runs it now; the servers run outside gwdeploy, which cannot start them)`,
            advice: `no colour runs ${sha} and the servers run outside gwdeploy, which cannot start them: start ${colour}'s servers running ${sha}, then \`gwdeploy rollback\` moves all traffic to ${colour} once they pass the health gate (until then it refuses, exit 4, traffic untouched)`,
          }
        : {
            line: `switches to ${colour} (${sha}) once its servers answer again (they run outside gwdeploy; none is live now)`,
            advice: `its servers run outside gwdeploy, which cannot start them: start them again (running ${sha}), then \`gwdeploy rollback\` switches all traffic to ${colour} (until then it refuses, exit 4, traffic untouched)`,
          }
  }
}

/** What `gwdeploy rollback` does, for a hint. */
export const describeRollback = (rollback: RollbackView): string => rollbackWords(rollback).advice

/** What `gwdeploy rollback` does, for status's `rollback:` line. */
export const rollbackLine = (rollback: RollbackView): string => rollbackWords(rollback).line

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
  /** The provider's nodes run outside gwdeploy (haproxy `servers`): none can be redeployed. */
  externalNodes?: boolean | undefined
}

/**
 * The colour kept for rollback, gone or dead: the newest record is the live release's (or
 * rollback's), it kept `previous`, nothing retired it since, and no node of it is left or live.
 * Rollback then redeploys it. After a rollback the colour it left is kept too (to go forward again
 * in one switch): with no live node that is a redeploy as well, and `retire` removes it.
 */
export function keptGoneWarning(
  facts: ServedFacts,
  records: readonly ReleaseRecord[],
  context: KeptContext,
): string | undefined {
  const rollback = facts.rollback
  const newest = records[0]
  const kept = newest && isCompleted(newest) ? newest.previous : undefined
  if (!newest || !kept) return undefined
  const colour = facts.colours.find((c) => c.colour === kept.colour)
  const dead = colour && colour.sha === kept.sha && colour.weight === 0 && noLiveNode(colour.nodes)
  if (rollback?.sha !== kept.sha)
    return dead && colour.keepUntil ? leftDeadWarning(colour, newest, context.externalNodes) : undefined
  if (rollback.how === 'switch') return undefined
  const fleetless = facts.fleetless?.find((f) => f.colour === kept.colour && f.weight === 0)
  const resource = context.resource?.(kept.colour)
  const why = fleetless
    ? fleetless.why
    : colour
      ? dead
        ? deadWhy(colour)
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
  const restore = fleetless?.restore ? `; ${fleetless.restore} makes it a switch again` : ''
  return `${kept.colour} (${sha7(kept.sha)}) ${keptUntil(' for rollback', until)}, but ${why}: ${describeRollback(rollback)}${restore}`
}

/**
 * The colour a rollback left (or any kept colour rollback does not go to) with no live node: it
 * looks like a way forward in one switch and is not. Going to it redeploys it; `retire` removes it.
 */
function leftDeadWarning(
  colour: ServedFacts['colours'][number],
  newest: ReleaseRecord,
  externalNodes = false,
): string {
  const by = newest.operation === 'rollback' ? ` (left by the rollback at ${newest.time})` : ''
  const back = externalNodes
    ? `its servers run outside gwdeploy, which cannot start them: start them again (running ${sha7(colour.sha)}), then \`gwdeploy rollback --to ${colour.sha}\` switches to it`
    : `\`gwdeploy rollback --to ${colour.sha}\` redeploys ${sha7(colour.sha)} as recorded (a new deploy)`
  return `${colour.colour} (${sha7(colour.sha)}) ${keptUntil(by, colour.keepUntil)}, but ${deadWhy(colour)}: it is no instant switch any more — ${back}, \`gwdeploy retire\` removes it`
}
