// A backend/lambda, backend/amqp/* or backend/pubsub/* call, made where lura's components wrap the
// HTTP call of an HTTP backend.

import type { Cancellation } from './cancellation.ts'
import type { BackendResult, CallInstead, CompiledBackend, Context } from './compiled-endpoint.ts'
import { monotonicMs } from './monotonic-ms.ts'

/**
 * Makes the call, counted in the backend metrics as an HTTP call is (its status: 200 answered, the
 * service's status it failed with, else 0), then checks the answer with validation/cel.
 */
export async function callInstead(
  b: CompiledBackend,
  call: CallInstead,
  ctx: Context,
  cancel: Cancellation,
): Promise<BackendResult> {
  const t0 = b.record ? monotonicMs() : 0
  const result = await call(ctx, cancel)
  b.record?.(result.ok ? (result.status ?? 200) : (result.code ?? 0), (monotonicMs() - t0) / 1000)
  // components: validation/cel checks the answer (its middleware wraps these backends' proxies),
  // with the status and headers the proxy set (krakend-lambda's 200 and X-Amz-Executed-Version)
  const rejected = result.ok
    ? b.guard?.checkResponse?.(result.data, {
        complete: true,
        ...(result.status !== undefined ? { status: result.status } : {}),
        ...(result.headers !== undefined ? { headers: result.headers } : {}),
      })
    : undefined
  return rejected ? { ok: false, code: undefined, message: rejected } : result
}
