/** The raw query of a URL string (between `?` and `#`). */
export function urlQuery(url: string): string {
  const hash = url.indexOf('#')
  const text = hash === -1 ? url : url.slice(0, hash)
  const q = text.indexOf('?')
  return q === -1 ? '' : text.slice(q + 1)
}
