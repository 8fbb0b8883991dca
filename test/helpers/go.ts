/**
 * Go for the tests that check gwdeploy against Go's own code (net/rpc, encoding/gob): finds the
 * toolchain, builds the standard-library-only programs in test/fixtures once per test process,
 * runs them. A missing or old Go THROWS: it fails the test, it never skips it.
 */
import { execFileSync, spawn } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const goFixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'go-rpc')

const INSTALL =
  'install it from https://go.dev/dl into /usr/local/go (rm -rf /usr/local/go && tar -C /usr/local -xzf go1.26.*.linux-amd64.tar.gz) or put its bin directory first on PATH'

/** The environment Go runs with: this toolchain only (no downloads), a build cache even without HOME. */
function goEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' }
  if (!env.GOCACHE && !env.HOME && !env.XDG_CACHE_HOME) env.GOCACHE = join(tmpdir(), 'gwdeploy-go-cache')
  if (!env.GOPATH && !env.HOME) env.GOPATH = join(tmpdir(), 'gwdeploy-go-path')
  return env
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

let goBinary: string | undefined

/** The go binary (PATH first, then /usr/local/go/bin/go) if it is Go >= 1.26; else throws saying how to get it. */
export function requireGo(): string {
  if (goBinary) return goBinary
  const candidates = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'go'))
  candidates.push('/usr/local/go/bin/go')
  const seen: string[] = []
  for (const candidate of new Set(candidates)) {
    if (!executable(candidate)) continue
    let version: string
    try {
      version = execFileSync(candidate, ['env', 'GOVERSION'], {
        env: goEnv(),
        encoding: 'utf8',
        timeout: 60_000,
      }).trim()
    } catch (error) {
      seen.push(`${candidate} does not run (${(error as Error).message.split('\n')[0]})`)
      continue
    }
    const match = /go(\d+)\.(\d+)/.exec(version)
    const [major, minor] = [Number(match?.[1]), Number(match?.[2])]
    if (match && (major > 1 || (major === 1 && minor >= 26))) {
      goBinary = candidate
      return candidate
    }
    seen.push(`${candidate} is ${version || 'of unknown version'}`)
  }
  const found =
    seen.length > 0 ? `found only: ${seen.join('; ')}` : 'no go binary on PATH or at /usr/local/go/bin/go'
  throw new Error(
    `Go >= 1.26 is needed to check gwdeploy against Go's net/rpc and encoding/gob (${found}): ${INSTALL}`,
  )
}

let buildDir: string | undefined
const builds = new Map<string, Promise<string>>()

/** Builds test/fixtures/go-rpc/NAME/main.go once per test process; resolves to the binary's path. */
export function buildGoFixture(name: string): Promise<string> {
  const cached = builds.get(name)
  if (cached) return cached
  const go = requireGo()
  if (!buildDir) {
    const dir = mkdtempSync(join(tmpdir(), 'gwdeploy-go-'))
    buildDir = dir
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  }
  const out = join(buildDir, name)
  const source = join(goFixtures, name, 'main.go')
  const build = runProgram(go, ['build', '-o', out, source], { env: goEnv(), timeoutMs: 300_000 }).then(
    (result) => {
      if (result.code !== 0)
        throw new Error(`go build ${source} failed (exit ${result.code}):\n${result.stderr}`)
      return out
    },
  )
  builds.set(name, build)
  return build
}

export interface ProgramResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a program with `input` on its stdin; kills it after `timeoutMs` (the result then says so). */
export function runProgram(
  file: string,
  args: string[],
  options: { input?: string | Uint8Array; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    const timeoutMs = options.timeoutMs ?? 30_000
    const timer = setTimeout(() => {
      stderr.push(Buffer.from(`\n[killed after ${timeoutMs} ms]`))
      child.kill('SIGKILL')
    }, timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.stdin.on('error', () => {})
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      })
    })
    child.stdin.end(options.input ?? '')
  })
}
