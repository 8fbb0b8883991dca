// The parts of undici the backend client uses, imported by path. The package's index also loads
// fetch, WebSocket, caches, mocks and proxies: 420 KB of the runtime bundle and a few MB of resident
// memory in every worker, none of it used here.
import type { Dispatcher } from 'undici'
import request from 'undici/lib/api/api-request.js'
import buildConnector from 'undici/lib/core/connect.js'
import Agent from 'undici/lib/dispatcher/agent.js'
import Pool from 'undici/lib/dispatcher/pool.js'

export { Agent, buildConnector, Pool }

/** undici's `dispatcher.request()` (the package's index installs it on every dispatcher). */
export function requestOn(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
): Promise<Dispatcher.ResponseData> {
  return request.call(dispatcher, options)
}
