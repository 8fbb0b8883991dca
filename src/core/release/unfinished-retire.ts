/**
 * A `retire` records that it started before it stops anything. Killed before its `retired` record,
 * the colour it tore down would otherwise read as the colour kept for rollback "removed outside
 * gwdeploy"; its intent record says it was gwdeploy's own retire, and `retire` again finishes it.
 */
import { COLOURS, type ReleaseRecord, type TargetState } from '../../providers/types.ts'
import { isCompleted } from '../records.ts'
import { unfinishedIntent } from './destroyed.ts'

/** The intent record of a retire that did not finish, when nothing went live or was destroyed since. */
export function unfinishedRetire(records: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  const newest = records.find((r) => isCompleted(r) || r.operation === 'destroy' || r.operation === 'retire')
  return unfinishedIntent(records, newest, 'retire')
}

/** What the retire left of the colour it was retiring: still there (half stopped), or nothing. */
function retireLeftovers(retire: ReleaseRecord, state: Pick<TargetState, 'fleets' | 'weights'>): string {
  const name = `${retire.colour ?? 'the idle colour'}${retire.sha ? ` (${retire.sha.slice(0, 7)})` : ''}`
  const left = COLOURS.map((c) => state.fleets[c]).find(
    (f) => f && f.colour === retire.colour && state.weights[f.colour] === 0,
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
  return `the retire started at ${retire.time}${retire.holder ? ` by ${retire.holder}` : ''} did not finish (killed, stopped or failed part-way): ${retireLeftovers(retire, state)}; \`gwdeploy retire${e}\` finishes it`
}
