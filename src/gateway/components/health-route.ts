// gin's health route as the service-level middlewares see it: gin registers the route before
// them, so a request it routes there never reaches them.

/**
 * Whether gin routes the request to the health route: GET on `healthPath`, matched on the decoded
 * path (gin routes URL.Path), so `/__heal%74h?x=1` is the health route too and `/__health%3Fx`
 * (path `/__health?x`) is not. Not HEAD: KrakenD answers it 405 after its middlewares, so the
 * guards decide on it before our HEAD answer, as they do in KrakenD.
 */
export function isHealthRoute(method: string | undefined, url: string, healthPath: string): boolean {
  if (method !== 'GET') return false
  return url === healthPath || url.startsWith(`${healthPath}?`) || isEscapedPath(url, healthPath)
}

/** Whether the target's path, its `%XX` escapes decoded, is `path` (only targets with a `%`). */
function isEscapedPath(url: string, path: string): boolean {
  if (!url.includes('%')) return false
  const q = url.indexOf('?')
  const raw = q === -1 ? url : url.slice(0, q)
  const decoded = raw.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  )
  return decoded === path
}
