/**
 * A `retire` records that it started before it stops anything. Killed before its `retired` record,
 * the colour it tore down would otherwise read as the colour kept for rollback "removed outside
 * gwdeploy"; its intent record says it was gwdeploy's own retire, and `retire` again finishes it.
 */
import { COLOURS, type Fleet, type ReleaseRecord, type TargetState } from '../../providers/types.ts'
import { isCompleted } from '../records.ts'
import { unfinishedIntent } from './destroyed.ts'

/** The intent record of a retire that did not finish, when nothing went live or was destroyed since. */
export function unfinishedRetire(records: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  const newest = records.find((r) => isCompleted(r) || r.operation === 'destroy' || r.operation === 'retire')
  return unfinishedIntent(records, newest, 'retire')
}

/**
 * The unfinished retire that was stopping `fleet` (same colour and SHA), if any. Nothing says how far
 * it got: out of the routes (HAProxy's servers emptied), its nodes signalled, some stopped. Switching
 * traffic to it as it is may send requests nowhere; `rollback` redeploys it instead.
 */
export function retiring(
  records: readonly ReleaseRecord[],
  fleet: Fleet | undefined,
): ReleaseRecord | undefined {
  const retire = fleet && unfinishedRetire(records)
  return retire && retire.colour === fleet.colour && retire.sha === fleet.sha ? retire : undefined
}

/** What the retire left of the colour it was retiring: still there (half stopped), or nothing. */
function retireLeftovers(retire: ReleaseRecord, state: Pick<TargetState, 'fleets' | 'weights'>): string {
  const name = `${retire.colour ?? 'the idle colour'}${retire.sha ? ` (${retire.sha.slice(0, 7)})` : ''}`
  const left = COLOURS.map((c) => state.fleets[c]).find(
    (f) =>
      f &&
      f.colour === retire.colour &&
      (retire.sha === undefined || f.sha === retire.sha) &&
      state.weights[f.colour] === 0,
  )
  return left
    ? `${name} is still there, its nodes may be half stopped`
    : `no node of ${name} is left, but the retire did not record that it finished`
}

/** `the retire started at T by H did not finish (...): what is left; the way on`: said by status and rollback. */
export function unfinishedRetireFact(
  retire: ReleaseRecord,
  state: Pick<TargetState, 'fleets' | 'weights'>,
  env: string | undefined,
): string {
  const e = env ? ` -e ${env}` : ''
  const by = retire.holder ? ` by ${retire.holder}` : ''
  const unfinished = '(killed, stopped or failed part-way)'
  const run = retire.partOf
  if (!run)
    return `the retire started at ${retire.time}${by} did not finish ${unfinished}: ${retireLeftovers(retire, state)}; \`gwdeploy retire${e}\` finishes it`
  // The retire of the idle colour a release (or a rollback's redeploy) runs before it deploys onto it.
  const again =
    run.operation === 'release'
      ? `gwdeploy release --sha ${run.sha}${e}`
      : `gwdeploy ${run.operation} --to ${run.sha}${e}`
  return `the retire of ${retire.colour ?? 'the idle colour'} (${retire.sha?.slice(0, 7) ?? '?'}) that the ${run.operation} of ${run.sha.slice(0, 7)} began at ${retire.time}${by} did not finish ${unfinished}: ${retireLeftovers(retire, state)}; \`${again}\` goes on from there (it finishes the retire first), or \`gwdeploy retire${e}\` finishes the retire alone`
}
