/**
 * The raw query of a URL string (between `?` and `#`). `requestForm`: the request's own URL as Go's
 * server parsed it (url.ParseRequestURI), where `#` is no fragment: the query runs to the end.
 */
export function urlQuery(url: string, requestForm = false): string {
  const hash = requestForm ? -1 : url.indexOf('#')
  const text = hash === -1 ? url : url.slice(0, hash)
  const q = text.indexOf('?')
  return q === -1 ? '' : text.slice(q + 1)
}
