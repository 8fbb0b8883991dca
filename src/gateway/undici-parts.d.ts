// Types for the undici modules src/gateway/undici.ts imports by path (the package types its index only).
declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici'

  const request: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>
  export default request
}
declare module 'undici/lib/core/connect.js' {
  import { buildConnector } from 'undici'
  export default buildConnector
}
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici'
  export default Agent
}
declare module 'undici/lib/dispatcher/pool.js' {
  import { Pool } from 'undici'
  export default Pool
}
declare module 'undici/lib/dispatcher/pool-base.js' {
  const poolBase: { readonly kClients: symbol }
  export default poolBase
}
declare module 'undici/lib/core/symbols.js' {
  const symbols: {
    readonly kConnected: symbol
    readonly kSize: symbol
    readonly kRunning: symbol
    readonly kPending: symbol
    readonly kNeedDrain: symbol
    readonly kResume: symbol
    readonly kSocket: symbol
  }
  export default symbols
}
