/**
 * bench/build: gwdeploy's image build against the docker CLI building an equivalent context
 * (same Dockerfile, bundle and config; classic builder) on the same engine, in the same run.
 *
 *   source .ci/state/services.env && node bench/build/run.ts [--runs N]
 *
 * Scenarios: first build (no layer cache), rebuild after a config-only change, and "already
 * built" detection (gwdeploy: tag + digest check; docker CLI: a fully cached rebuild).
 * Needs DOCKER_HOST, GWDEPLOY_TEST_BASE_IMAGE and GWDEPLOY_TEST_REGISTRY (scripts/services.sh).
 */
import { execFile, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { buildImage, type ImageBuildSpec } from '../../src/image/build.ts'
import { buildRuntimeBundle, RUNTIME_FILE } from '../../src/image/bundle.ts'
import { connectDocker } from '../../src/image/docker.ts'
import { readDockerfileTemplate, renderDockerfile } from '../../src/image/dockerfile.ts'
import { stampGatewayConfig } from '../../src/image/stamp.ts'

const run = promisify(execFile)
const runsArg = process.argv.indexOf('--runs')
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5
const base = process.env.GWDEPLOY_TEST_BASE_IMAGE
const registry = process.env.GWDEPLOY_TEST_REGISTRY
if (!process.env.DOCKER_HOST || !base || !registry) {
  console.error(
    'bench/build needs the test services: scripts/services.sh start && source .ci/state/services.env',
  )
  process.exit(2)
}

const scratch = await mkdtemp(join(tmpdir(), 'gwdeploy-bench-build-'))
const docker = await connectDocker()
const repo = `${registry}/bench/${randomBytes(3).toString('hex')}`
const sha = () => randomBytes(20).toString('hex')
const configFile = join(scratch, 'gateway.json')
const configText = (timeout: string) =>
  JSON.stringify({ version: 3, name: 'x', port: 8080, timeout, endpoints: [] }, null, 2)
const writeConfig = (timeout: string) => writeFile(configFile, configText(timeout))

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}
async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

const spec = (overrides: Partial<ImageBuildSpec>): ImageBuildSpec => ({
  service: 'bench',
  sha: sha(),
  gatewayConfig: configFile,
  repository: repo,
  base,
  cacheDir: join(scratch, 'cache'),
  ...overrides,
})

// The docker CLI's equivalent context, written to a directory.
async function cliContext(dir: string, shaValue: string, timeout: string): Promise<void> {
  const stamped = await stampGatewayConfig({
    file: 'gateway.json',
    text: configText(timeout),
    service: 'bench',
    sha: shaValue,
  })
  const bundle = await buildRuntimeBundle({ cacheDir: join(scratch, 'cache') })
  await mkdir(dir, { recursive: true })
  const dockerfile = renderDockerfile(
    {
      runtime: 'bundled',
      base: base ?? '',
      port: 8080,
      labels: { 'gwdeploy.config.digest': stamped.digest },
    },
    await readDockerfileTemplate('bundled'),
  )
  await writeFile(join(dir, 'Dockerfile'), dockerfile)
  await writeFile(join(dir, RUNTIME_FILE), await readFile(bundle.path))
  await writeFile(join(dir, 'gateway.json'), stamped.json)
}
const cliBuild = (dir: string, tag: string, noCache = false) =>
  run('docker', ['build', '-q', ...(noCache ? ['--no-cache'] : []), '-t', tag, dir], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  })

const results: Record<string, { gwdeploy: number[]; cli: number[] }> = {
  'first build (no cache)': { gwdeploy: [], cli: [] },
  'config-only rebuild': { gwdeploy: [], cli: [] },
  'already built': { gwdeploy: [], cli: [] },
}
const tags: string[] = []
try {
  for (let i = 0; i < RUNS; i++) {
    // first build
    await writeConfig(`${i + 1}s`)
    const first = spec({ noCache: true })
    results['first build (no cache)']?.gwdeploy.push(await time(() => buildImage(first, { docker })))
    tags.push(`${repo}:${first.sha.slice(0, 7)}`)
    const dir1 = join(scratch, `cli-${i}-a`)
    await cliContext(dir1, first.sha, `${i + 1}s`)
    results['first build (no cache)']?.cli.push(await time(() => cliBuild(dir1, `${repo}-cli:a${i}`, true)))
    tags.push(`${repo}-cli:a${i}`)

    // config-only change
    await writeConfig(`${i + 1}.5s`)
    const second = spec({})
    results['config-only rebuild']?.gwdeploy.push(await time(() => buildImage(second, { docker })))
    tags.push(`${repo}:${second.sha.slice(0, 7)}`)
    const dir2 = join(scratch, `cli-${i}-b`)
    await cliContext(dir2, second.sha, `${i + 1}.7s`) // a config the engine has not seen either
    results['config-only rebuild']?.cli.push(await time(() => cliBuild(dir2, `${repo}-cli:b${i}`)))
    tags.push(`${repo}-cli:b${i}`)

    // already built
    results['already built']?.gwdeploy.push(await time(() => buildImage(second, { docker })))
    results['already built']?.cli.push(await time(() => cliBuild(dir2, `${repo}-cli:b${i}`)))
  }

  // The whole CLI, as a subprocess, for the "already built" case (includes Node start-up).
  const project = join(scratch, 'project')
  await mkdir(project, { recursive: true })
  await writeFile(join(project, 'gateway.json'), await readFile(configFile))
  await writeFile(
    join(project, 'gwdeploy.yml'),
    `service: bench\nimage:\n  repository: ${repo}\n  base: ${base}\n  push: false\n`,
  )
  const cliSha = sha()
  const bin = join(import.meta.dirname, '../../bin/run.js')
  const dev = join(import.meta.dirname, '../../bin/dev.js')
  const entry = (await import('node:fs')).existsSync(
    join(import.meta.dirname, '../../dist/commands/build.js'),
  )
    ? bin
    : dev
  execFileSync(process.execPath, [entry, 'build', '--sha', cliSha, '--json'], {
    cwd: project,
    stdio: 'ignore',
  })
  tags.push(`${repo}:${cliSha.slice(0, 7)}`)
  const cliRuns: number[] = []
  for (let i = 0; i < RUNS; i++) {
    cliRuns.push(
      await time(() => run(process.execPath, [entry, 'build', '--sha', cliSha, '--json'], { cwd: project })),
    )
  }

  console.log(
    `bench/build: ${RUNS} runs, median ms (engine ${docker.engineVersion}, API ${docker.apiVersion})`,
  )
  console.log(
    `${'scenario'.padEnd(26)} ${'gwdeploy'.padStart(9)} ${'docker CLI'.padStart(11)} ${'ratio'.padStart(7)}`,
  )
  for (const [name, r] of Object.entries(results)) {
    const g = median(r.gwdeploy)
    const c = median(r.cli)
    console.log(
      `${name.padEnd(26)} ${g.toFixed(0).padStart(9)} ${c.toFixed(0).padStart(11)} ${(g / c).toFixed(2).padStart(7)}`,
    )
  }
  console.log(`${'already built, whole CLI'.padEnd(26)} ${median(cliRuns).toFixed(0).padStart(9)}`)
  console.log(
    'ratio = gwdeploy / docker CLI (lower is better). Aim: config-only <= 1.0, already built < 300 ms.',
  )
} finally {
  for (const tag of tags)
    await docker.docker
      .getImage(tag)
      .remove({ force: true })
      .catch(() => {})
  await rm(scratch, { recursive: true, force: true })
}
