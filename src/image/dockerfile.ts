/**
 * The Dockerfile as data: a template from templates/image/ with {{placeholders}} filled from a
 * spec. Pure (the template text is read separately), so it is golden-tested.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { configError } from '../core/errors.ts'
import { CODE_CACHE_DIR, LOADER_FILE, WARM_UP_FILE } from '../gateway/code-cache/names.ts'

export type ImageRuntime = 'bundled' | 'krakend'

const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/image/', import.meta.url))

export const DEFAULT_BASE: Record<ImageRuntime, string> = {
  bundled: 'node:24-slim',
  krakend: 'devopsfaith/krakend:2.10',
}

/** Paths inside the image. */
export const IMAGE_PATHS = {
  bundled: {
    runtime: '/opt/gwdeploy/gateway.cjs',
    /** The entry: gateway.cjs from V8's code cache (src/gateway/code-cache/start.ts). */
    loader: `/opt/gwdeploy/${LOADER_FILE}`,
    codeCacheWarm: `/opt/gwdeploy/${WARM_UP_FILE}`,
    codeCache: `/opt/gwdeploy/${CODE_CACHE_DIR}`,
    lazy: '/opt/gwdeploy/lazy',
    config: '/etc/gwdeploy/gateway.json',
    contextConfig: 'gateway.json',
  },
  krakend: {
    runtime: '/usr/bin/krakend',
    config: '/etc/krakend/krakend.json',
    contextConfig: 'krakend.json',
  },
} as const

export interface HealthcheckSpec {
  /** Docker duration strings, e.g. "5s". */
  interval: string
  timeout: string
  startPeriod: string
  retries: number
}

export interface DockerfileSpec {
  runtime: ImageRuntime
  base: string
  /** Port the gateway listens on inside the container. */
  port: number
  /** Numeric user:group (Kubernetes runAsNonRoot can only verify numeric users). */
  user?: string
  healthPath?: string
  healthcheck?: Partial<HealthcheckSpec>
  /** Image labels, rendered as one LABEL instruction (last, so it never spoils the layer cache). */
  labels?: Record<string, string>
}

const DEFAULT_HEALTHCHECK: HealthcheckSpec = {
  interval: '5s',
  timeout: '3s',
  startPeriod: '5s',
  retries: 3,
}

// Loose version of the distribution reference grammar: [host[:port]/]path[:tag][@digest].
const IMAGE_REF =
  /^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/

function validateBaseImage(base: string): void {
  if (!IMAGE_REF.test(base)) {
    throw configError(`image.base "${base}" is not an image reference`, {
      location: { path: 'image.base' },
      hint: 'Use a reference like node:24-slim or registry.example.com/base/node@sha256:...',
    })
  }
}

const NODE_CHECK = [
  'const major = Number(process.versions.node.split(".")[0]);',
  'if (major < 22) {',
  ' console.error("gwdeploy: the base image has Node " + process.version + "; the gateway runtime needs Node >= 22");',
  ' process.exit(1);',
  '}',
].join('')

/** Where the bundled image keeps V8's compile cache of the runtime (NODE_COMPILE_CACHE). */
const COMPILE_CACHE_DIR = '/opt/gwdeploy/compile-cache'

// Run once at build time, as the image's user (Node keys the cache by uid): `--version` loads and
// compiles the whole bundle, a second process each lazily loaded library, and Node writes the
// compile cache as they exit. Then code-cache-warm.cjs starts one node of a synthetic config (no
// user config: that is copied in a later layer) and V8's code cache of gateway.cjs is written as
// it stops, holding every function a start compiles (start.cjs, the entry, reads it). A build
// without loopback networking goes without that one: the image then starts from the compile cache.
// Both caches then go back to root, readable only: every container starts from compiled code
// instead of compiling 0.9 MB of JavaScript, and no container can change them.
function compileCacheWarm(uid: number, gid: number): string {
  const { codeCache, codeCacheWarm, lazy, runtime } = IMAGE_PATHS.bundled
  const asUser = `{ stdio: "inherit", uid: ${uid}, gid: ${gid} }`
  return [
    // A base image that already switched to a non-root user cannot hand the cache over: no cache then.
    'if (process.getuid() !== 0) { console.log("gwdeploy: no compile cache (the build does not run as root)"); process.exit(0); }',
    'const { spawnSync } = require("node:child_process");',
    'const { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } = require("node:fs");',
    `const dir = process.env.NODE_COMPILE_CACHE; const codeCache = ${JSON.stringify(codeCache)};`,
    `for (const made of [dir, codeCache]) { mkdirSync(made, { recursive: true }); chownSync(made, ${uid}, ${gid}); }`,
    `const run = spawnSync(process.execPath, [${JSON.stringify(runtime)}, "--version"], ${asUser});`,
    'if (run.status !== 0) process.exit(1);',
    `const lazy = ${JSON.stringify(lazy)};`,
    'const libs = existsSync(lazy) ? readdirSync(lazy).map((name) => lazy + "/" + name) : [];',
    `if (libs.length > 0 && spawnSync(process.execPath, ["-e", libs.map((file) => "require(" + JSON.stringify(file) + ")").join(";")], ${asUser}).status !== 0) process.exit(1);`,
    `if (spawnSync(process.execPath, [${JSON.stringify(codeCacheWarm)}], ${asUser}).status !== 0) console.log("gwdeploy: no code cache; containers start from the compile cache");`,
    'for (const path of [dir, codeCache].flatMap((top) => [top, ...readdirSync(top, { recursive: true }).map((entry) => top + "/" + entry)])) {',
    ' chownSync(path, 0, 0);',
    ' chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);',
    '}',
  ].join('')
}

function renderLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (entries.length === 0) return '# no labels'
  const parts = entries.map(([key, value]) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(key))
      throw configError(`image label key "${key}" is not allowed`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(value))
      throw configError(`image label ${key} contains a control character`)
    return `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$')}"`
  })
  return `LABEL ${parts.join(' \\\n      ')}`
}

export function renderDockerfile(spec: DockerfileSpec, template: string): string {
  validateBaseImage(spec.base)
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) {
    throw configError(`port ${spec.port} is not a TCP port`, { location: { path: 'fleet.port' } })
  }
  const user = spec.user ?? '1000:1000'
  if (!/^[1-9]\d*(:\d+)?$/.test(user)) {
    throw configError(`image user "${user}" must be a numeric non-root uid[:gid]`)
  }
  const [uid = 0, gid = uid] = user.split(':').map(Number)
  const health = { ...DEFAULT_HEALTHCHECK, ...spec.healthcheck }
  const healthUrl = `http://127.0.0.1:${spec.port}${spec.healthPath ?? '/__health'}`
  const healthCmd =
    spec.runtime === 'bundled'
      ? [
          'node',
          '-e',
          `fetch(${JSON.stringify(healthUrl)}, { signal: AbortSignal.timeout(2500) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))`,
        ]
      : ['wget', '-q', '-O', '/dev/null', healthUrl]
  const values: Record<string, string> = {
    base: spec.base,
    user,
    port: String(spec.port),
    nodeCheck: JSON.stringify(['node', '-e', NODE_CHECK]),
    compileCacheDir: COMPILE_CACHE_DIR,
    compileCacheWarm: JSON.stringify(['node', '-e', compileCacheWarm(uid, gid)]),
    healthInterval: health.interval,
    healthTimeout: health.timeout,
    healthStartPeriod: health.startPeriod,
    healthRetries: String(health.retries),
    healthCmd: JSON.stringify(healthCmd),
    labels: renderLabels(spec.labels ?? {}),
    cmd: JSON.stringify([
      '--config',
      IMAGE_PATHS.bundled.config,
      '--port',
      String(spec.port),
      '--listen-ip',
      '0.0.0.0',
    ]),
  }
  const unknown = new Set<string>()
  const text = template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_whole, key: string) => {
    const value = values[key]
    if (value === undefined) unknown.add(key)
    return value ?? ''
  })
  if (unknown.size > 0) {
    throw configError(
      `the Dockerfile template uses unknown placeholders: ${[...unknown].map((k) => `{{${k}}}`).join(', ')}`,
      {
        hint: `Known placeholders: ${Object.keys(values)
          .map((k) => `{{${k}}}`)
          .join(' ')}`,
      },
    )
  }
  if (!/^\s*FROM\s/im.test(text)) {
    throw configError('the Dockerfile template has no FROM instruction')
  }
  return text
}

export async function readDockerfileTemplate(runtime: ImageRuntime, dir = TEMPLATE_DIR): Promise<string> {
  const file = join(dir, `Dockerfile.${runtime}`)
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw configError(
      `cannot read the Dockerfile template ${file}: ${(error as NodeJS.ErrnoException).code}`,
      {
        hint: 'Reinstall gwdeploy: its templates/ directory is incomplete.',
      },
    )
  }
}
