// Each of static.config.ts's endpoints once, and the negotiating ones with each Accept.
import type { Case } from '../run.ts'
import { config } from './static.config.ts'

export const cases: Case[] = config.endpoints.flatMap((ep) =>
  'output_encoding' in ep && ep.output_encoding === 'negotiate'
    ? ['application/xml', 'text/plain', 'application/json'].map((accept) => ({
        path: ep.endpoint,
        headers: [['Accept', accept]] as Array<[string, string]>,
      }))
    : [{ path: ep.endpoint }],
)
