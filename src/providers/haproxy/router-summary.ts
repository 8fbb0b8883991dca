/**
 * What `inspect` says about the HAProxy instances' splits: the weights status counts (only
 * colours with a recorded release), the router line, and the warnings (instances that disagree,
 * traffic to a colour no release is recorded for).
 */
import { COLOURS, type Colour, type Weights } from '../types.ts'
import type { InstanceView } from './instance.ts'

export interface RouterSummary {
  weights: Weights
  detail: string
  warnings: string[]
  /** Colours HAProxy sends requests to with no release recorded: the share (averaged) and what says so. */
  unrecorded: Array<{ colour: Colour; weight: number; message: string }>
  /** Instances that send some colour traffic and answer the rest with no backend (503). */
  unrouted: Array<{ message: string; hint: string }>
}

export function summarizeViews(
  views: InstanceView[],
  recorded: Record<Colour, boolean>,
  /** Why a colour HAProxy sends traffic to has no recorded release (servers mode or Docker). */
  unrecordedWhy: string,
): RouterSummary {
  const first = views[0]?.weights ?? { blue: 0, green: 0 }
  const disagree = views.some(
    (view) => view.weights.blue !== first.blue || view.weights.green !== first.green,
  )
  // Instances that disagree (a switch interrupted between them) count as a split in progress,
  // so the next release / promote / rollback routes again and sets them all.
  const average = (colour: Colour) =>
    Math.round(views.reduce((sum, view) => sum + view.weights[colour], 0) / Math.max(views.length, 1))
  const weights: Weights = {
    blue: recorded.blue ? average('blue') : 0,
    green: recorded.green ? average('green') : 0,
  }
  const perInstance = views
    .map((view) => `${view.name}: blue ${view.weights.blue}% / green ${view.weights.green}%`)
    .join(', ')
  // Traffic HAProxy sends to a colour gwdeploy has no release recorded for (the fleet record lost,
  // containers removed by hand) is not counted in `weights`: say so where status shows the router.
  const unrecorded: RouterSummary['unrecorded'] = []
  for (const colour of COLOURS) {
    const sending = views.filter((view) => view.weights[colour] > 0)
    if (recorded[colour] || !sending.length) continue
    unrecorded.push({
      colour,
      weight: average(colour),
      message: `${sending.map((view) => `${view.name} sends ${colour} ${view.weights[colour]}%`).join(', ')} of requests, but no ${colour} release is recorded (${unrecordedWhy})`,
    })
  }
  // The frontend sends a request green below `green`, else blue when `blue` is set, else nowhere:
  // `blue 0` beside a green under 100 leaves the rest with no backend (HAProxy's 503).
  const unrouted = views
    .filter((view) => view.weights.green > 0 && view.weights.green < 100 && view.weights.blue === 0)
    .map((view) => ({
      message: `HAProxy ${view.name} answers ${100 - view.weights.green}% of requests with no backend (503): its map sends green ${view.weights.green}% and blue nothing (\`blue 0\`, set by hand?)`,
      hint: `On ${view.name}, \`set map <map file> blue 100\` sends blue what green does not take (then write the same in the map file), or \`set map <map file> green 100\` sends everything to green; \`gwdeploy rollback\` or a release then sets the split again.`,
    }))
  const warnings = unrecorded.map(({ message }) => `HAProxy ${message}`)
  if (disagree)
    warnings.push(
      `HAProxy instances disagree (${perInstance}); the next release, promote or rollback sets them all`,
    )
  return {
    weights,
    detail: `${disagree ? 'DISAGREEING ' : ''}HAProxy ${perInstance}${unrecorded.map(({ message }) => `; UNRECORDED: ${message}`).join('')}${unrouted.length ? '; SOME REQUESTS FIND NO BACKEND' : ''}`,
    warnings,
    unrecorded,
    unrouted,
  }
}
