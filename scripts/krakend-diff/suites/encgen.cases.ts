// Requests for encgen.config.ts's endpoints: a negotiating one is asked with drawn Accept forms (gin's
// NegotiateFormat: the first line only, `;` parameters and q-values dropped, prefixes and `*` at any
// byte matching, case kept, nothing matched is JSON), the others once, now and then with an Accept
// that must not matter.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'
import { endpoints, negotiates } from './encgen.config.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 6000) * 7727 + 5)

const ACCEPTS = [
  'application/json',
  'application/xml',
  'text/xml',
  'text/plain',
  'application/x-yaml',
  'application/yaml',
  'text/yaml',
  '*/*',
  '*',
  'application/*',
  'text/*',
  'APPLICATION/XML',
  'Application/x-yaml',
  'application/xml;q=0.1, application/json',
  'application/json;q=0, application/xml',
  'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'application/xml, application/json',
  'image/png',
  'image/png, text/plain',
  '',
  ' application/xml ',
  'application',
  'application/',
  'app',
  'text',
  'application/x-yaml;charset=utf-8',
  'application/xml,',
  ',application/xml',
  ';application/xml',
  'application/xm',
  'application/jsonx',
  'text/plain;q=0.5, application/xml;q=1',
  'application/x-yaml\t',
  'text/*;q=0.1, application/json',
  'x/*, application/xml',
  '*/xml',
]

function accept(): Array<[string, string]> {
  const r = rnd()
  if (r < 0.1) return []
  // Go reads the first line only.
  if (r < 0.2)
    return [
      ['Accept', pick(ACCEPTS)],
      ['Accept', pick(ACCEPTS)],
    ]
  return [[rnd() < 0.1 ? 'accept' : 'Accept', pick(ACCEPTS)]]
}

const PER = Number(process.env.PER ?? 4)

export const cases: Case[] = endpoints.flatMap((e): Case[] =>
  negotiates(e)
    ? Array.from({ length: PER }, () => ({ path: e.endpoint, headers: accept() }))
    : [{ path: e.endpoint, headers: rnd() < 0.2 ? [['Accept', pick(ACCEPTS)]] : [] }],
)
