// Where the gateway's time goes: runs the runtime from source with --cpu-prof (one worker, so the
// profile is the whole server) behind wrk on one endpoint, then prints self time by area (HTTP
// parsing and sockets, routing, the backend client, JSON, our own files) and the heaviest
// functions. Same static HAProxy backend and config shape as bench/gateway/run.ts.
//
//   node bench/gateway/profile.ts [--endpoint proxy|merge] [--h2c] [--duration 5] [--connections 64] [--top 25]
//                                 [--svg FILE]   (also writes the load's flame graph)
//                                 [--go-order]   (the backend's keys sorted, as a Go backend sends them)
//                                 [--feature /json-schema]   (one endpoint of features.ts's config, with its
//                                 headers and body; HTTP/1.1 under wrk)
//                                 [--rate N]   (paced load instead of wrk: hey, N req/s over --connections,
//                                 8 unless given; what a request costs below peak, as at issue 19's half peak)
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { featureConfig, featureEndpoints, featureUrl, featureWrkArgs } from './feature-configs.ts'
import { renderFlamegraph } from './flamegraph.ts'
import {
  benchDocument,
  benchJwt,
  freePort,
  heyArgs,
  loadRunLimit,
  proxyAndMergeConfig,
  staticBackendFrontend,
  waitFor,
  which,
} from './lab.ts'
import { type CpuProfile, summarizeProfile } from './profile-summary.ts'

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string', default: 'proxy' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string' },
    rate: { type: 'string' },
    top: { type: 'string', default: '25' },
    h2c: { type: 'boolean', default: false },
    svg: { type: 'string' },
    'go-order': { type: 'boolean', default: false },
    feature: { type: 'string' },
  },
})
const wrkBin = which('wrk')
const haproxyBin = which('haproxy')
const h2loadBin = which('h2load')
const heyBin = which('hey')
if (!wrkBin || !haproxyBin || (values.h2c && !h2loadBin) || (values.rate !== undefined && !heyBin)) {
  console.error(
    'wrk and haproxy are required (h2load for --h2c, hey for --rate): apt-get install -y wrk haproxy nghttp2-client hey',
  )
  process.exit(2)
}
const RATE = values.rate === undefined ? undefined : Number(values.rate)
if (RATE !== undefined && (values.h2c || !(RATE > 0 && RATE <= 200_000))) {
  console.error('--rate takes 1-200000 req/s, over HTTP/1.1 only')
  process.exit(2)
}
const CONNECTIONS = values.connections ?? (RATE === undefined ? '64' : '8')

const dir = mkdtempSync(join(tmpdir(), 'gw-profile-'))
const names = ['item', 'a', 'b', 'c']
for (const name of names) writeFileSync(join(dir, `${name}.json`), benchDocument(name, values['go-order']))
const backendPort = await freePort()
const gatewayPort = await freePort()
writeFileSync(
  join(dir, 'haproxy.cfg'),
  `global\n  nbthread 1\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n${staticBackendFrontend(backendPort, dir, names)}`,
)
const haproxy = spawn(haproxyBin, ['-f', join(dir, 'haproxy.cfg'), '-db'], { stdio: 'ignore' })
process.on('exit', () => haproxy.kill('SIGKILL'))
const backend = `http://127.0.0.1:${backendPort}`
await waitFor(`${backend}/item`)
// --feature: the feature bench's config (every feature endpoint), loaded on that one endpoint
const { jwkPath, token } = await benchJwt(dir)
const features = featureEndpoints({ backend, jwkPath })
const feature = features.find((f) => f.path === values.feature)
if (feature && (values.h2c || RATE !== undefined)) {
  console.error('--feature runs under wrk over HTTP/1.1 only (no --h2c, no --rate)')
  process.exit(2)
}
if (values.feature !== undefined && !feature) {
  console.error(`--feature ${values.feature}: one of ${features.map((f) => f.path).join(' ')}`)
  process.exit(2)
}
writeFileSync(
  join(dir, 'gateway.json'),
  feature
    ? JSON.stringify(featureConfig(features, gatewayPort, { level: 'ERROR' }))
    : proxyAndMergeConfig('profile', gatewayPort, backend),
)

const profileDir = join(dir, 'profile')
const main = resolve(import.meta.dirname, '../../src/gateway/main.ts')
const gateway = spawn(
  process.execPath,
  [
    '--cpu-prof',
    '--cpu-prof-dir',
    profileDir,
    main,
    '--config',
    join(dir, 'gateway.json'),
    '--workers',
    '1',
    '--drain-grace',
    '0s',
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
)
const url = feature ? featureUrl(feature, gatewayPort) : `http://127.0.0.1:${gatewayPort}/${values.endpoint}`
const endpoint = feature ? feature.path : `/${values.endpoint}`
await waitFor(`http://127.0.0.1:${gatewayPort}/proxy`)
// Samples outside the load (start-up, module compilation, shutdown) are left out: the profile's
// clock is the system's monotonic clock, as process.hrtime is.
const loadStartUs = Number(process.hrtime.bigint() / 1000n)
const load =
  RATE !== undefined
    ? execFileSync(
        heyBin as string,
        heyArgs(url, { rate: RATE, connections: Number(CONNECTIONS), seconds: Number(values.duration) }),
        { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...loadRunLimit(Number(values.duration)) },
      )
    : values.h2c
      ? execFileSync(h2loadBin as string, ['-D', values.duration, '-c', '16', '-m', '10', '-t', '2', url], {
          encoding: 'utf8',
          ...loadRunLimit(Number(values.duration)),
        })
      : execFileSync(
          wrkBin,
          [
            '-t2',
            `-c${CONNECTIONS}`,
            `-d${values.duration}s`,
            ...(feature ? featureWrkArgs(feature, dir, token) : []),
            url,
          ],
          {
            encoding: 'utf8',
            ...loadRunLimit(Number(values.duration)),
          },
        )
const loadEndUs = Number(process.hrtime.bigint() / 1000n)
const rps =
  RATE !== undefined
    ? ((load.split('\n').length - 2) / ((loadEndUs - loadStartUs) / 1e6)).toFixed(2)
    : (/Requests\/sec:\s+([\d.]+)/.exec(load)?.[1] ?? /([\d.]+) req\/s/.exec(load)?.[1])
gateway.kill('SIGTERM')
await once(gateway, 'exit')

const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))
if (!file) throw new Error(`no profile written in ${profileDir}`)
const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile
const title = `gateway CPU profile — ${endpoint}${values.h2c ? ' over h2c (h2load -c16 -m10)' : RATE !== undefined ? ` (hey paced at ${RATE} req/s over ${CONNECTIONS} connections)` : ` (wrk -t2 -c${CONNECTIONS})`}, ${values.duration} s, ${rps} req/s under the profiler`
console.log(`${title}; profile ${join(profileDir, file)}`)
if (values.svg) {
  const root = resolve(import.meta.dirname, '../..')
  writeFileSync(values.svg, renderFlamegraph(profile, { root, title, window: [loadStartUs, loadEndUs] }))
  console.log(`flame graph: ${values.svg}`)
}
console.log(
  summarizeProfile(profile, {
    root: resolve(import.meta.dirname, '../..'),
    top: Number(values.top),
    window: [loadStartUs, loadEndUs],
    requests: Number(rps) * ((loadEndUs - loadStartUs) / 1e6),
  }),
)
haproxy.kill('SIGKILL')
