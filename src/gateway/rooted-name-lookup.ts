// Dialling a rooted host name (`api-1.svc.cluster.local.`, as lura's DNS SRV discovery writes its
// targets): Go's resolver finds one in /etc/hosts too (it compares rooted names); getaddrinfo
// reads /etc/hosts only for the name without its dot. A rooted name it cannot find is looked up
// again without the dot.
import type { LookupAddress, LookupOptions } from 'node:dns'
import { loadBuiltin } from './libraries.ts'

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

export function rootedNameLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  // node:dns as net.connect loads it: with the first connection to a host name
  const { lookup } = loadBuiltin<typeof import('node:dns')>('node:dns')
  if (hostname.length < 2 || !hostname.endsWith('.')) {
    lookup(hostname, options, callback)
    return
  }
  lookup(hostname, options, (error, address, family) => {
    if (error?.code === 'ENOTFOUND') lookup(hostname.slice(0, -1), options, callback)
    else callback(error, address, family)
  })
}
