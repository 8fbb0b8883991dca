/** `--revoker-peers`: the nodes a new node pulls revocations from, as `HOST:PORT,...`. */
export interface PeerAddress {
  host: string
  port: number
}

/** An IPv6 host in brackets; throws with the entry that is not HOST:PORT. */
export function parsePeers(text: string): PeerAddress[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(entry)
      const port = Number(match?.[3])
      if (!match || port < 1 || port > 65535)
        throw new Error(`"${entry}" is not HOST:PORT (a port from 1 to 65535; IPv6 as [ADDR]:PORT)`)
      return { host: (match[1] ?? match[2]) as string, port }
    })
}

export const peerLabel = (peer: PeerAddress): string =>
  peer.host.includes(':') ? `[${peer.host}]:${peer.port}` : `${peer.host}:${peer.port}`
