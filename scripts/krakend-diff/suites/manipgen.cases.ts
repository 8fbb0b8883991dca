// One GET per manipgen.config.ts endpoint (the answers are scripted in the config); a `negotiate`
// endpoint is asked with several Accept headers.
import type { Case } from '../run.ts'
import { endpoints } from './manipgen.config.ts'

const ACCEPTS = [
  'application/json',
  'application/xml',
  'text/plain',
  'application/x-yaml',
  '*/*',
  'text/html',
]

export const cases: Case[] = endpoints.flatMap((e): Case[] =>
  e.output_encoding === 'negotiate'
    ? ACCEPTS.map((accept) => ({ path: e.endpoint, headers: [['Accept', accept]] }))
    : [{ path: e.endpoint }],
)
