// route() and the run's interrupt, on a fake client: the selector switch is never cut short, and an
// interrupt while waiting for the switch to take effect returns it as made, so the engine (which
// then sees the interrupt) reverts knowing where traffic is. It used to reject with the interrupt
// after the switch was made: the engine kept the old weights and did not put traffic back.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gwConfigSchema } from '../../../src/config/schema.ts'
import { interruptedError } from '../../../src/core/errors.ts'
import type { KubeClient } from '../../../src/providers/kubernetes/client.ts'
import { KubernetesProvider } from '../../../src/providers/kubernetes/index.ts'
import { kubeSettings } from '../../../src/providers/kubernetes/settings.ts'

const settings = kubeSettings(
  gwConfigSchema.parse({
    service: 'payments',
    image: { repository: 'registry.example.com/team/gateway' },
    provider: { kind: 'kubernetes', kubernetes: { namespace: 'prod' } },
  }),
)
const notFound = Object.assign(new Error('not found'), { code: 404, body: '{"reason":"NotFound"}' })

/**
 * A cluster with no Service yet and no pods: the switch creates the live Service, and the wait for
 * its Endpoints never ends by itself. A call made under a signal rejects when it aborts (as fetch
 * does); one without waits for good.
 */
function fakeCluster(calls: string[]) {
  const client = (signal?: AbortSignal): KubeClient =>
    ({
      server: 'https://kube.example',
      under: (next: AbortSignal | undefined) => client(next),
      apps: {
        readNamespacedDeployment: async () => {
          throw notFound
        },
      },
      core: {
        readNamespacedService: async () => {
          throw notFound
        },
        createNamespacedService: async ({
          body,
        }: {
          body: { spec: { selector: Record<string, string> } }
        }) => {
          calls.push(`switch to ${body.spec.selector['gwdeploy.dev/colour']}`)
          return body
        },
        readNamespacedEndpoints: () => {
          calls.push('wait for Endpoints')
          return new Promise((_, reject) =>
            signal?.addEventListener('abort', () => reject(new Error('This operation was aborted'))),
          )
        },
      },
    }) as unknown as KubeClient
  return new KubernetesProvider(settings, async () => client())
}

test('an interrupt while the switch takes effect: route returns it as made', {
  timeout: 10_000,
}, async () => {
  const calls: string[] = []
  const provider = fakeCluster(calls)
  const stop = new AbortController()
  const routed = provider.route({ blue: 0, green: 100 }, { signal: stop.signal })
  while (!calls.includes('wait for Endpoints')) await new Promise((resolve) => setTimeout(resolve, 10))
  stop.abort(interruptedError('SIGTERM'))
  await routed
  assert.deepEqual(calls, ['switch to green', 'wait for Endpoints'])
})

test('an interrupt before the switch: route rejects with it and switches nothing', {
  timeout: 10_000,
}, async () => {
  const calls: string[] = []
  const provider = fakeCluster(calls)
  const stop = new AbortController()
  stop.abort(interruptedError('SIGTERM'))
  await assert.rejects(provider.route({ blue: 0, green: 100 }, { signal: stop.signal }), { exitCode: 130 })
  assert.deepEqual(calls, [])
})
