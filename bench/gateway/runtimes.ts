// What the A/B benches (allocation.ts, cpu-ab.ts) share: the static HAProxy backend serving the
// bench's documents, and this checkout's runtime bundled beside other checkouts' (--baseline DIR).
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildRuntimeBundle } from '../../src/image/bundle.ts'
import { benchDocument, HAPROXY_DEFAULTS, staticBackendFrontend, waitFor } from './lab.ts'

/**
 * Starts a one-thread HAProxy answering /item, /a, /b and /c with the bench's documents (keys in Go's
 * order with `goOrder`) on 127.0.0.1:port; resolves with its origin once it answers.
 */
export async function startStaticBackend(options: {
  haproxy: string
  dir: string
  port: number
  goOrder: boolean
  children: ChildProcess[]
}): Promise<string> {
  const { haproxy, dir, port, goOrder, children } = options
  const names = ['item', 'a', 'b', 'c']
  for (const name of names) writeFileSync(join(dir, `${name}.json`), benchDocument(name, goOrder))
  writeFileSync(
    join(dir, 'haproxy.cfg'),
    `global\n  nbthread 1\n${HAPROXY_DEFAULTS}${staticBackendFrontend(port, dir, names)}`,
  )
  children.push(spawn(haproxy, ['-f', join(dir, 'haproxy.cfg'), '-db'], { stdio: 'ignore' }))
  const origin = `http://127.0.0.1:${port}`
  await waitFor(`${origin}/item`)
  return origin
}

/** This checkout's runtime bundle, then each baseline checkout's, built with that checkout's bundler. */
export async function bundleRuntimes(
  dir: string,
  baselines: string[],
): Promise<Array<{ label: string; bundle: string }>> {
  console.error('bundling the runtimes with esbuild ...')
  const runtimes = [
    {
      label: 'this checkout',
      bundle: (await buildRuntimeBundle({ cacheDir: join(dir, 'cache'), force: true })).path,
    },
  ]
  for (const [i, root] of baselines.entries()) {
    const bundler = (await import(join(root, 'src', 'image', 'bundle.ts'))) as {
      buildRuntimeBundle: typeof buildRuntimeBundle
    }
    const built = await bundler.buildRuntimeBundle({ cacheDir: join(dir, `baseline-${i}`), force: true })
    runtimes.push({ label: root, bundle: built.path })
  }
  return runtimes
}
