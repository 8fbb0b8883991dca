// Standalone gateway runtime entry, bundled by esbuild into one CommonJS file (node gateway.cjs
// --config FILE). runCli handles its own errors and exits; no top-level await (CommonJS has none).
import { runCli } from './cli.ts'

void runCli(process.argv.slice(2))
