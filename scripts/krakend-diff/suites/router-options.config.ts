// Seeded gin router options (SEED=): remove_extra_slash, disable_redirect_trailing_slash,
// disable_redirect_fixed_path, disable_handle_method_not_allowed, auto_options,
// disable_path_decoding, return_error_msg, hide_version_header, error_body; over endpoints with
// parameters, trailing slashes, upper case and several methods, for router-options.cases.ts.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'

const { next: rnd } = seededRandom(Number(process.env.SEED ?? 1) * 32452843 + 17)
for (let i = 0; i < 5; i += 1) rnd()
const router: Record<string, unknown> = { disable_access_log: true }
for (const key of [
  'remove_extra_slash',
  'disable_redirect_trailing_slash',
  'disable_redirect_fixed_path',
  'disable_handle_method_not_allowed',
  'auto_options',
  'disable_path_decoding',
  'return_error_msg',
  'hide_version_header',
])
  if (rnd() < 0.5) router[key] = rnd() < 0.8
if (rnd() < 0.4)
  router.error_body = {
    ...(rnd() < 0.7 ? { '404': { msg: 'nope', code: 404 } } : {}),
    ...(rnd() < 0.7 ? { '405': { msg: 'bad method' } } : {}),
  }
if (process.env.PRINT_ROUTER) console.error(JSON.stringify(router))

const echo = [{ url_pattern: '/echo' }]
export const config = {
  version: 3,
  name: 'router-options',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router },
  endpoints: [
    { endpoint: '/a', backend: echo },
    { endpoint: '/a', method: 'POST', backend: echo },
    { endpoint: '/a/{id}', backend: [{ url_pattern: '/echo/{id}' }] },
    { endpoint: '/a/{id}/c', method: 'PUT', backend: [{ url_pattern: '/echo/{id}' }] },
    { endpoint: '/b/', backend: echo },
    { endpoint: '/Up/x', backend: echo },
    { endpoint: '/d/{x}/{y}', method: 'DELETE', backend: [{ url_pattern: '/echo/{x}/{y}' }] },
    { endpoint: '/fail', backend: [{ url_pattern: '/status/500' }] },
  ],
}
