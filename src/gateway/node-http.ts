// node:http's createServer, loaded with require: an ESM import of node:http reads every export of
// the module, among them lazy getters (WebSocket and its events) that load Node's own copy of
// undici — about 30 ms of start-up and 2 MB per worker the gateway never uses. (require, not
// process.getBuiltinModule: the runtime also runs on Node 22.0-22.2, which lack it.) The bundled
// runtime is CommonJS and has `require`; run from source (ESM) it comes from createRequire.
import { createRequire } from 'node:module'

const load = typeof require === 'function' ? require : createRequire(import.meta.url)
export const { createServer } = load('node:http') as typeof import('node:http')
