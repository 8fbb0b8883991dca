// gwdeploy needs Node >= 22. On an older Node (Debian ships 20), re-run this same command with
// the Node 24 binary from the npm `node` package when the project has it installed; otherwise
// say how to get one.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
  if (existsSync(bundled) && process.env.GWDEPLOY_NODE_REEXEC !== '1') {
    const child = spawnSync(bundled, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, GWDEPLOY_NODE_REEXEC: '1' },
    })
    process.exit(child.status ?? (child.signal === 'SIGINT' ? 130 : 1))
  }
  process.stderr.write(
    `Error: gwdeploy needs Node.js >= 22 (found ${process.versions.node}).\n` +
      'hint: install Node 24 (for example `npm install --global --force node@24`) or run it through `npx gwdeploy`.\n',
  )
  process.exit(2)
}
