/**
 * The set-up operator e2e files share: a local project with some SHAs released before the file's
 * tests (destroyed after), and a run started under GWDEPLOY_TEST_PAUSE_AT, returned once paused.
 */
import assert from 'node:assert/strict'
import { after, before } from 'node:test'
import { makeProject, type Project, type ProjectOptions, sha, sleep } from '../core/helpers/project.ts'

/** Registers before/after for the file: `sha(n)` released for each n, in order. Call the result in a test. */
export function releasedProject(releases: number[], options: ProjectOptions = {}): () => Project {
  let project: Project | undefined
  before(async () => {
    project = await makeProject(options)
    for (const n of releases) {
      const released = await project.run(['release', '--sha', sha(n)])
      assert.equal(released.code, 0, released.stderr)
    }
  })
  after(async () => {
    await project?.cleanup()
  })
  return () => project as Project
}

/** `args` started paused at test point `point` (waits up to 30 s for it to get there). */
export async function startPaused(project: Project, args: string[], point: string) {
  const run = project.start(args, { GWDEPLOY_TEST_PAUSE_AT: point })
  let stderr = ''
  run.child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  for (let i = 0; i < 600 && !stderr.includes(`paused at ${point}`); i++) await sleep(50)
  assert.ok(stderr.includes(`paused at ${point}`), stderr)
  return run
}
