/**
 * Test-only hooks at step boundaries, for the crash and interrupt tests (test/e2e, and the README's
 * Development section names them for contributors). Not an operator feature: nothing documents them to
 * users, and unset (always, outside tests) a point is one environment read.
 *   GWDEPLOY_TEST_KILL_AT=<point>   the CLI SIGKILLs itself when it reaches <point>
 *   GWDEPLOY_TEST_PAUSE_AT=<point>  the CLI prints "paused at <point>" on stderr and waits
 *                                   (until SIGINT/SIGTERM, or forever)
 * Points: lock, stamp, build, plan, provision, verify, shift, shift:<weight> (after routing
 * that weight), bake, finalize, unlock; destroy:started (its intent recorded, nothing torn down)
 * and destroy:record (torn down, its `destroyed` record not written); retire:started and
 * retire:record (the same for `retire`: its intent recorded / the colour stopped); retire-idle:started
 * and retire-idle:record (the same for the idle colour a release or rollback retires on the slot it
 * deploys onto); the local provider's provision:spawned and destroy:router (its front proxy stopped,
 * its nodes not yet); decommission:withdrawn on local and haproxy (a colour out of the routes or its
 * HAProxy servers emptied, its nodes not yet stopped: retire, or a release retiring the idle colour).
 */
export async function testPoint(point: string, signal?: AbortSignal): Promise<void> {
  const env = process.env
  if (env.GWDEPLOY_TEST_KILL_AT === point) {
    process.stderr.write(`test: SIGKILL at ${point}\n`)
    process.kill(process.pid, 'SIGKILL')
    await new Promise(() => {})
  }
  if (env.GWDEPLOY_TEST_PAUSE_AT === point) {
    process.stderr.write(`test: paused at ${point}\n`)
    await new Promise<void>((_, reject) => {
      const timer = setInterval(() => {}, 60_000)
      signal?.addEventListener(
        'abort',
        () => {
          clearInterval(timer)
          reject(signal.reason)
        },
        { once: true },
      )
    })
  }
}
