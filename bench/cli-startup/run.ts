// Median wall time and CPU time (user + sys) of `gwdeploy --help` and `gwdeploy config validate`
// against bare `node -e 0`, measured alternately in the same run. CPU time is the figure that holds
// on a shared machine (wall time also counts waiting for a core). Needs a build (`npm run build`)
// and bash (its `times` builtin reads the child's CPU time). Prints ratios; asserts nothing.
// BENCH_BASELINE=/other/checkout/bin/run.js adds the same two commands from another (built)
// checkout, e.g. an older commit, measured in the same alternation.
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
const baseline = process.env.BENCH_BASELINE
if (baseline) {
  cases['baseline --help'] = [baseline, '--help']
  cases['baseline config validate'] = [baseline, 'config', 'validate']
}

// Wall time around the child alone (not bash's own start), then `times`: the children's user and sys.
const TIMED =
  'start=$EPOCHREALTIME; "$0" "$@" >/dev/null 2>&1 || exit $?; end=$EPOCHREALTIME; times; echo "$start $end"'
const seconds = (text: string) => {
  const match = /^(\d+)m([\d.]+)s$/.exec(text)
  if (!match) throw new Error(`unexpected \`times\` output: ${text}`)
  return Number(match[1]) * 60 + Number(match[2])
}

interface Sample {
  wallMs: number
  cpuMs: number
}
function measure(args: string[]): Sample {
  const result = spawnSync('bash', ['-c', TIMED, process.execPath, ...args], {
    cwd: project,
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  const [, children, stamps] = result.stdout.trim().split('\n')
  const [user = '', sys = ''] = (children ?? '').split(' ')
  const [start = '', end = ''] = (stamps ?? '').split(' ')
  return {
    wallMs: (Number(end) - Number(start)) * 1000,
    cpuMs: (seconds(user) + seconds(sys)) * 1000,
  }
}

const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]))
for (let i = 0; i < RUNS; i++) {
  for (const [name, args] of Object.entries(cases)) samples[name]?.push(measure(args))
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}
const medians = (name: string) => {
  const list = samples[name] ?? []
  return { wall: median(list.map((s) => s.wallMs)), cpu: median(list.map((s) => s.cpuMs)) }
}
const base = medians('node -e 0')
console.log(`cli-startup: median of ${RUNS} runs each, alternating (node ${process.version})`)
console.log(
  `  ${''.padEnd(26)} ${'wall'.padStart(9)} ${'ratio'.padStart(6)}   ${'cpu'.padStart(9)} ${'ratio'.padStart(6)}`,
)
for (const name of Object.keys(cases)) {
  const { wall, cpu } = medians(name)
  console.log(
    `  ${name.padEnd(26)} ${wall.toFixed(1).padStart(6)} ms ${(wall / base.wall).toFixed(2).padStart(5)}x   ${cpu.toFixed(1).padStart(6)} ms ${(cpu / base.cpu).toFixed(2).padStart(5)}x`,
  )
}
