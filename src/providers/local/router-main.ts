/**
 * Entry point of the local front proxy process. gwdeploy starts it detached (own process
 * group, output to <stateDir>/local/logs/router.log) with `process.execPath` and this file's
 * path, so it outlives the CLI:
 *   node router-main.(ts|js) --listen HOST:PORT --admin SOCKET --routes FILE --record FILE
 * It writes the record file (pid, listen, preview port, admin socket) once it is listening.
 */
import { parseArgs } from 'node:util'
import { writeJsonAtomic } from '../json-file.ts'
import { FrontProxy } from './router-proxy.ts'
import type { RouterRecord } from './state.ts'

const { values } = parseArgs({
  options: {
    listen: { type: 'string' },
    admin: { type: 'string' },
    routes: { type: 'string' },
    record: { type: 'string' },
  },
})

const listen = values.listen ?? '127.0.0.1:8080'
const colon = listen.lastIndexOf(':')
const host = listen.slice(0, colon).replace(/^\[|\]$/g, '')
const port = Number(listen.slice(colon + 1))
if (!values.admin || !values.routes || !values.record || colon < 0 || !Number.isInteger(port)) {
  process.stderr.write('usage: router-main --listen HOST:PORT --admin SOCKET --routes FILE --record FILE\n')
  process.exit(2)
}

const proxy = new FrontProxy({
  listenHost: host,
  listenPort: port,
  adminSocket: values.admin,
  routesFile: values.routes,
  onShutdown: () => process.exit(0),
})

try {
  await proxy.start()
} catch (error) {
  process.stderr.write(`front proxy could not start on ${listen}: ${(error as Error).message}\n`)
  process.exit(1)
}

const record: RouterRecord = {
  pid: process.pid,
  listen,
  previewPort: proxy.previewPort,
  admin: values.admin,
  startedAt: new Date().toISOString(),
}
await writeJsonAtomic(values.record, record)
process.stdout.write(
  `${new Date().toISOString()} front proxy listening on ${listen} (preview 127.0.0.1:${proxy.previewPort})\n`,
)

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void proxy.close().then(() => process.exit(0))
  })
}
