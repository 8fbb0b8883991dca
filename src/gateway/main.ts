// Standalone gateway runtime entry, bundled by esbuild into one file (node gateway.mjs --config FILE).
import { runCli } from './cli.ts'

await runCli(process.argv.slice(2))
