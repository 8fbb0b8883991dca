/**
 * `gwdeploy revoke CLAIM=VALUE...`: auth/revoker's revocations sent to every node that is up, of
 * both colours (the serving one, the one kept for rollback, a preview), the way a revoke tool would
 * — gwdeploy knows the nodes. `--check` only asks each node. No lock: an Add only ever adds, and a
 * release running meanwhile carries what its serving nodes hold into its new colour.
 */
import { serviceNamespace } from '../config/gateway-service-namespace.ts'
import { jsonFoldedValue } from '../config/json-keys.ts'
import { COLOURS, type Colour, type RevokerEndpoint } from '../providers/types.ts'
import { providerError, usageError } from './errors.ts'
import { LOOKBACK, liveConfigText } from './records.ts'
import type { EngineContext } from './release/context.ts'
import { engineRecords } from './release/engine-records.ts'
import { untilAborted } from './until-aborted.ts'

export interface RevokeOptions {
  /** `claim=value` pairs, as given. */
  claims: string[]
  check: boolean
}

interface RevokedNode {
  colour: Colour
  node: string
  address: string
  /** --check: whether the node refuses each element. */
  checks?: boolean[]
  error?: string
}

export interface RevokeResult {
  /** What each node's filter holds for a claim: `claim-value`, as the runtime looks it up. */
  elements: string[]
  nodes: RevokedNode[]
}

const CALL_TIMEOUT_MS = 10_000

/** `jti=4f1c` -> `jti-4f1c` (exit 2 for anything else). */
function revocationElements(claims: string[]): string[] {
  return claims.map((claim) => {
    const at = claim.indexOf('=')
    if (at <= 0 || at === claim.length - 1)
      throw usageError(`${JSON.stringify(claim)} is not CLAIM=VALUE`, {
        hint: 'Name the claim and its value, e.g. `gwdeploy revoke jti=4f1c9e` (a token_keys claim of the config).',
      })
    return `${claim.slice(0, at)}-${claim.slice(at + 1)}`
  })
}

/** The live config's auth/revoker token_keys; undefined when the live config is not known here. */
function tokenKeys(configText: string | undefined): string[] | null | undefined {
  if (!configText) return undefined
  const revoker = serviceNamespace(JSON.parse(configText), 'auth/revoker')?.value
  if (typeof revoker !== 'object' || revoker === null) return null
  // Read as the runtime reads it: KrakenD's encoding/json takes "Token_Keys" too.
  const keys = jsonFoldedValue(revoker as Record<string, unknown>, 'token_keys')
  return Array.isArray(keys) ? keys.filter((k) => typeof k === 'string') : []
}

export async function revoke(ctx: EngineContext, options: RevokeOptions): Promise<RevokeResult> {
  const elements = revocationElements(options.claims)
  const { provider } = ctx.target
  // A revocation needs the nodes, not every part of the router: one load balancer down must not
  // keep a stolen token valid.
  const state = await provider.inspect({ signal: ctx.signal, partial: true })
  for (const part of state.router.unreadable ?? []) ctx.reporter.emit({ type: 'warn', message: part.message })
  const keys = tokenKeys(await liveConfigText(ctx.target, state, await engineRecords(ctx, LOOKBACK)))
  if (keys === undefined)
    ctx.reporter.emit({
      type: 'warn',
      message:
        "the live config is not known here: the claims were not checked against auth/revoker's token_keys",
    })
  if (keys === null)
    throw usageError('the live release has no auth/revoker: its nodes take no revocations', {
      hint: 'Add auth/revoker to the gateway config and release it (see README, Token revocation).',
    })
  const unknown = options.claims
    .map((c) => c.slice(0, c.indexOf('=')))
    .filter((k) => keys && !keys.includes(k))
  if (unknown.length > 0)
    throw usageError(
      `the live config's auth/revoker looks up ${keys?.map((k) => JSON.stringify(k)).join(', ')} only: a revoked ${unknown.map((k) => JSON.stringify(k)).join(', ')} would never be refused`,
      { hint: 'Revoke by one of its token_keys claims, or add the claim to token_keys and release.' },
    )
  if (!provider.revokerEndpoints)
    throw providerError(`${provider.id} nodes' revoker ports are not reachable from gwdeploy`, {
      hint: 'Send the revocation to every instance with a tool that runs where they are reachable (Go net/rpc, BloomfilterRPC.Add).',
    })
  const endpoints: Array<RevokerEndpoint & { colour: Colour }> = []
  for (const colour of COLOURS) {
    const fleet = state.fleets[colour]
    if (fleet)
      for (const e of await provider.revokerEndpoints(fleet, { signal: ctx.signal }))
        endpoints.push({ ...e, colour })
  }
  if (endpoints.length === 0)
    throw usageError(
      'no node takes revocations: nothing is up, or the nodes run a config without auth/revoker',
      {
        hint: '`gwdeploy status` shows the nodes and their revoker ports.',
      },
    )
  const { addRevocations, checkRevocations } = await import('../gateway/revoker/revocation-client.ts')
  // The RPCs (each bounded by CALL_TIMEOUT_MS) do not hear the interrupt: the command stops
  // without them (exit 130; adding is idempotent, so a re-run completes what they did not).
  const nodes = await untilAborted(
    Promise.all(
      endpoints.map(async ({ colour, node, host, port }): Promise<RevokedNode> => {
        const address = `${host}:${port}`
        try {
          if (!options.check) {
            await addRevocations({ host, port }, elements, CALL_TIMEOUT_MS)
            return { colour, node, address }
          }
          return {
            colour,
            node,
            address,
            checks: await checkRevocations({ host, port }, elements, CALL_TIMEOUT_MS),
          }
        } catch (error) {
          return { colour, node, address, error: (error as Error).message }
        }
      }),
    ),
    ctx.signal,
  )
  const failed = nodes.filter((n) => n.error)
  if (failed.length > 0)
    throw providerError(
      `${failed.length} of ${nodes.length} node(s) did not answer: ${failed.map((n) => `${n.node} (${n.address}): ${n.error}`).join('; ')}`,
      {
        hint: options.check
          ? 'Run it again once the nodes answer.'
          : 'The other nodes took the revocation; run the same command again (adding twice changes nothing).',
        details: { nodes },
      },
    )
  return { elements, nodes }
}
