// Median wall time of `gwdeploy --help` and `gwdeploy config validate` against bare `node -e 0`,
// measured alternately in the same run. Needs a build (`npm run build`). Prints ratios; asserts nothing.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const runJs = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
const project = mkdtempSync(join(tmpdir(), 'gwdeploy-bench-'))
writeFileSync(join(project, 'gwdeploy.yml'), 'service: bench\n')
writeFileSync(join(project, 'gateway.json'), '{"version":3,"endpoints":[]}')

const cases: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'gwdeploy --help': [runJs, '--help'],
  'gwdeploy config validate': [runJs, 'config', 'validate'],
}

const timings: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]))
for (let i = 0; i < RUNS; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const start = process.hrtime.bigint()
    const result = spawnSync(process.execPath, args, { cwd: project, stdio: 'ignore' })
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}`)
    timings[name]?.push(ms)
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}
const base = median(timings['node -e 0'] ?? [])
console.log(`cli-startup: median of ${RUNS} runs each, alternating (node ${process.version})`)
for (const [name, values] of Object.entries(timings)) {
  const m = median(values)
  console.log(`  ${name.padEnd(26)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}x node -e 0`)
}
