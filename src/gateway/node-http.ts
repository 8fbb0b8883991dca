// node:http's createServer, taken with process.getBuiltinModule: an ESM import of node:http reads
// every export of the module, among them lazy getters (WebSocket and its events) that load Node's
// own copy of undici — about 30 ms of start-up and 2 MB per worker the gateway never uses.
export const { createServer } = process.getBuiltinModule('node:http')
