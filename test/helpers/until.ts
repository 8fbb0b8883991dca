import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Waits for `ready()` to hold, for `ms` (10 s) at most: a state, not a duration, is what is awaited,
 * so a loaded machine makes the test slower, never wrong.
 */
export async function until(
  ready: () => boolean | Promise<boolean>,
  what: string,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await ready())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`)
    await sleep(10)
  }
}
