import type { ProviderCapabilities } from '../capabilities.ts'

/** HAProxy: weighted map entries, nodes probed directly; `servers` mode runs no image and no node. */
export const haproxyCapabilities = (servers: boolean): ProviderCapabilities => ({
  weights: true,
  directProbe: true,
  preview: false,
  image: !servers,
  traffic: true,
  ...(servers ? { externalNodes: true } : {}),
  routingEmptiedOnDestroy:
    "gwdeploy's routing in HAProxy emptied (its blue and green server blocks and weights; HAProxy itself keeps running)",
})
