// `gwdeploy --version --json`: oclif answers --version itself, before any command runs, in plain
// text; with --json the answer is the envelope every command prints.
import { readFileSync } from 'node:fs'

export function printVersionEnvelope() {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const result = { version, node: process.version, platform: `${process.platform}-${process.arch}` }
  process.stdout.write(`${JSON.stringify({ status: 'ok', result, warnings: [] }, null, 2)}\n`)
}

/** `--version` first (as oclif reads it) or right after `--json`, with `--json` before any `--`. */
export function versionAsJson(args) {
  const end = args.indexOf('--')
  const json = (end === -1 ? args : args.slice(0, end)).includes('--json')
  return json && (args[0] === '--version' || (args[0] === '--json' && args[1] === '--version'))
}
