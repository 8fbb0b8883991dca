// gwdeploy needs Node >= 22. Started by an older Node (Debian ships 20), this module re-runs the
// same command under a Node >= 22 — the official Node 24 binary from the npm `node` package that
// gwdeploy installs next to itself, else the first Node >= 22 on PATH — and stays as a thin
// supervisor until it ends:
// - SIGINT, SIGTERM, SIGHUP (and the others below) are forwarded to the child, which cleans up;
// - the launcher ends the way the child ended (same exit code, or the same signal);
// - the child runs in its own session, so a Ctrl-C in a terminal reaches it once (through this
//   launcher), not twice (a second signal means "exit at once without cleanup");
// - the child watches this launcher: if it disappears (SIGKILL), the child stops itself as if it
//   had received SIGTERM, so no release or gateway keeps running unsupervised.
// This file must stay plain JavaScript that any Node >= 18 can run.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { constants } from 'node:os'
import { delimiter, dirname, join } from 'node:path'

const MIN_MAJOR = 22
/** Set by the launcher for its child: the launcher's pid. */
const LAUNCHER_ENV = 'GWDEPLOY_LAUNCHER_PID'
/** Tests: behave as if this Node were too old (exercises the launcher on any Node). */
const FORCE_ENV = 'GWDEPLOY_TEST_OLD_NODE'
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH']

const majorOf = (version) => Number(String(version).replace(/^v/, '').split('.')[0])
const launcherPid = Number(process.env[LAUNCHER_ENV])
// Not inherited any further: hooks, nodes and nested gwdeploy runs are not this launcher's child.
delete process.env[LAUNCHER_ENV]
const tooOld = majorOf(process.versions.node) < MIN_MAJOR

if (launcherPid > 0 && !tooOld && process.ppid === launcherPid) watchLauncher(launcherPid)
else if (launcherPid > 0 && tooOld) fail('the Node it was re-run with is too old as well')
else if (tooOld || (process.env[FORCE_ENV] === '1' && !(launcherPid > 0))) {
  const node = findNode()
  if (node === undefined) fail('no Node >= 22 was found to run it with')
  else await supervise(node)
}

/** The child side: when the launcher is gone (this process was re-parented), stop cleanly. */
function watchLauncher(pid) {
  const timer = setInterval(() => {
    if (process.ppid === pid) return
    clearInterval(timer)
    process.stderr.write('gwdeploy: the launcher went away; stopping\n')
    process.kill(process.pid, 'SIGTERM')
  }, 250)
  timer.unref()
}

function findNode() {
  try {
    const pkg = createRequire(import.meta.url).resolve('node/package.json')
    const bundled = join(dirname(pkg), 'bin', 'node')
    if (existsSync(bundled)) return bundled
  } catch {
    // the optional `node` package is not installed
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, 'node')
    if (!existsSync(candidate)) continue
    try {
      const version = execFileSync(candidate, ['-p', 'process.versions.node'], {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      })
      if (majorOf(version.trim()) >= MIN_MAJOR) return candidate
    } catch {
      // not runnable
    }
  }
  return undefined
}

async function supervise(node) {
  const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [LAUNCHER_ENV]: String(process.pid) },
    detached: true,
  })
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  }
  for (const signal of FORWARDED) process.on(signal, forward)
  // Ctrl-Z stops the child with the launcher; fg/bg continues both.
  process.on('SIGTSTP', () => {
    forward('SIGSTOP')
    process.kill(process.pid, 'SIGSTOP')
  })
  process.on('SIGCONT', () => forward('SIGCONT'))
  child.on('error', (error) => fail(`${node} could not be started (${error.message})`))
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1)
    // Die of the same signal, so a shell or CI runner sees what it would have seen without us.
    for (const s of [...FORWARDED, 'SIGTSTP', 'SIGCONT']) process.removeAllListeners(s)
    process.kill(process.pid, signal)
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 1000).unref()
  })
  // Nothing after this module runs here: the child does the work; its exit ends this process.
  await new Promise(() => {})
}

function fail(reason) {
  process.stderr.write(
    `Error: gwdeploy needs Node.js >= ${MIN_MAJOR} (this is ${process.versions.node}); ${reason}.\n` +
      'hint: reinstall gwdeploy without --omit=optional (its optional dependency `node` puts Node 24\n' +
      "      in gwdeploy's own node_modules), or put a Node >= 22 first on PATH (nvm, fnm, volta or\n" +
      "      your distribution's packages). Do not replace the system /usr/bin/node.\n",
  )
  process.exit(2)
}
