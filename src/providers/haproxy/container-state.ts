/**
 * What one container's inspect says, as gwdeploy reports it: its health for the gate and `status`
 * (a crash loop is a gone node, so the gate stops at once), the error for a container that stopped
 * before its port was published, and the Docker requests dockerode does not bound itself.
 */
import type Dockerode from 'dockerode'
import { healthGateError, isGwError, providerError } from '../../core/errors.ts'
import { sleep } from '../../health/gate.ts'
import type { Colour, FleetSpec, NodeHealth } from '../types.ts'

/** What brings a colour's node back (the same words as aws's gone instances). */
export const wayOut = (fleet: { colour: Colour; sha: string }) =>
  `\`gwdeploy release --sha ${fleet.sha}\` replaces it while ${fleet.colour} serves (a rollback to ${fleet.colour} redeploys it)`

/** The containers' own view: running, and the image HEALTHCHECK status. */
export function containerHealth(
  node: string,
  info: Dockerode.ContainerInspectInfo,
  fleet: { colour: Colour; sha: string },
): NodeHealth {
  if (info.State.Restarting) return { node, status: 'gone', detail: crashLoop(info) }
  if (!info.State.Running)
    return {
      node,
      status: 'gone',
      detail: `container ${info.State.Status} (exit ${info.State.ExitCode}${info.State.OOMKilled ? ', OOM killed' : ''}): stopped outside gwdeploy or crashed, and its restart policy did not start it again; ${wayOut(fleet)}`,
    }
  // "starting" only means the image HEALTHCHECK has not run yet (its interval is 5 s): the
  // gate's own probes and the HAProxy check decide; a failing HEALTHCHECK still counts.
  if (info.State.Health?.Status === 'unhealthy') {
    const last = info.State.Health.Log?.at(-1)?.Output?.trim().split('\n').at(-1)
    return {
      node,
      status: 'unhealthy',
      detail: `its image HEALTHCHECK fails${last ? ` (${last.slice(0, 200)})` : ''}`,
    }
  }
  return { node, status: 'healthy', detail: 'container running' }
}

/** A container dockerd keeps restarting (its restart policy): it exits right after it starts. */
function crashLoop(info: Dockerode.ContainerInspectInfo): string {
  return `container restarting: it exited with code ${info.State.ExitCode} and was restarted ${info.RestartCount} time(s) (it stops right after it starts; its last log lines say why)`
}

/**
 * A container that stopped before its port was even published (a bad NODE_OPTIONS, a config the
 * runtime refuses): green failed its gate (exit 4), with what the container said. Docker shows no
 * port for a stopped container, so this read as "has no published port" (exit 6, "check the host").
 */
export function exitedAtStartError(
  spec: FleetSpec,
  node: string,
  info: Dockerode.ContainerInspectInfo,
  log: string,
) {
  const detail = info.State.Restarting
    ? crashLoop(info)
    : `container ${info.State.Status}: it exited with code ${info.State.ExitCode} right after it started`
  return healthGateError(
    `green (${spec.colour}, ${spec.artifact.sha7}) failed its health gate: ${node}: ${detail}`,
    {
      problems: [{ message: `${node}: ${detail}` }],
      hint: `Traffic was not touched; green is torn down. Fix what the log says, then release again.${log ? `\n--- last log lines of ${node} ---\n${log}` : ''}`,
      details: { failures: [{ node, detail }], colour: spec.colour, sha: spec.artifact.sha },
    },
  )
}

/** How long dockerd may take to finish removing a container it is already removing. */
const REMOVAL_WAIT_MS = 30_000

export async function waitUntilGone(inspect: () => Promise<unknown>, name: string): Promise<void> {
  const deadline = Date.now() + REMOVAL_WAIT_MS
  while (Date.now() < deadline) {
    try {
      await inspect()
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return
      if (isGwError(error)) throw error
    }
    await sleep(200)
  }
  throw providerError(`haproxy: container ${name} is still being removed after ${REMOVAL_WAIT_MS / 1000} s`, {
    hint: 'Check the Docker host (docker ps -a); re-running the command retries the removal.',
  })
}
