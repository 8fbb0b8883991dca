// Random backend redirects and shadows (seeded: SEED=, ENDPOINTS= how many): chains of up to three
// 300/301/302/303/304/305/307/308 answers whose Location is relative, absolute, on another host name
// (localhost: credentials dropped), a network-path reference, a loop (/loop: Go stops after 10), a
// fragment, or one Go refuses (ftp:, mailto:, a bad host, an empty one); GET/POST/PUT/DELETE endpoints
// and backends, backend/http/client send_body_on_redirect, no-op and string backends, and shadow
// backends (proxy.shadow, shadow_timeout positive, zero, negative or unreadable) beside them.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { ports } from '../side-by-side.ts'
import { JSON_TYPE, scripted } from './scripted.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 2) * 7919 + 7)
const chance = (p: number) => rnd() < p
// The recording backend under another host name (PORT_BASE moves it, as run.ts's).
const OTHER = `localhost:${ports().backend}`
const OTHER_HOST = `http://${OTHER}`

/** A chain of redirects ending at a JSON answer, built from its end. */
function chain(hops: number, end: string): string {
  let path = end
  for (let h = 0; h < hops; h++) {
    const status = pick([301, 302, 303, 307, 308, 300, 304, 305])
    const kind = Math.floor(rnd() * 10)
    const location =
      kind === 0
        ? `${OTHER_HOST}${path}`
        : kind === 1
          ? `//${OTHER}${path}?x=1`
          : kind === 2
            ? '/loop'
            : kind === 3
              ? pick(['ftp://127.0.0.1/x', 'mailto:a@b', '', 'http://[::1', `${path}#frag`])
              : path
    path = scripted(
      status,
      { Location: location, 'Content-Type': 'text/html', 'Set-Cookie': 'r=1' },
      chance(0.5) ? '<a>moved</a>' : '',
    )
  }
  return path
}

export const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const

export const config = {
  version: 3,
  timeout: '3s',
  extra_config: { router: { return_error_msg: true } },
  endpoints: Array.from({ length: Number(process.env.ENDPOINTS ?? 24) }, (_, i) => {
    const method = pick(METHODS)
    const main: Record<string, unknown> = {
      host: ['BACKEND'],
      url_pattern: chain(1 + Math.floor(rnd() * 3), scripted(200, JSON_TYPE, `{"at":"end","n":${i}}`)),
      method: chance(0.6) ? method : pick(METHODS),
    }
    if (chance(0.4)) main.extra_config = { 'backend/http/client': { send_body_on_redirect: chance(0.7) } }
    const noop = chance(0.15)
    if (noop) main.encoding = 'no-op'
    else if (chance(0.1)) main.encoding = 'string'
    const backend: Array<Record<string, unknown>> = [main]
    // a no-op endpoint takes no shadow (KrakenD refuses it; so does this runtime)
    if (!noop && chance(0.4))
      backend.push({
        host: ['BACKEND'],
        url_pattern: chance(0.5) ? '/echo/shadow' : (main.url_pattern as string),
        method: pick(['GET', 'POST', main.method]),
        extra_config: {
          proxy: {
            shadow: true,
            ...(chance(0.3) ? { shadow_timeout: pick(['1s', '-1s', '0s', 'bad']) } : {}),
          },
        },
      })
    if (!noop && chance(0.25)) backend.push({ host: ['BACKEND'], url_pattern: '/obj', group: 'other' })
    return {
      endpoint: `/r${i}`,
      method,
      backend,
      input_headers: pick([
        ['Authorization', 'Cookie', 'Content-Type'],
        ['Content-Type'],
        ['X-A', 'Authorization'],
      ]),
      ...(noop ? { output_encoding: 'no-op' } : {}),
    }
  }),
}
