// Requests for jwtgen.config.ts's endpoints (same SEED; PER= per endpoint, 8 by default): a token
// from jwtgen.tokens.ts carried in the endpoint's header — "Bearer " in any case, doubled spaces,
// a tab, no scheme, another scheme, two header lines, comma-joined — or in its cookie — quoted,
// among others, repeated, empty, on two Cookie lines — or in both, one of them junk.
import type { Case } from '../run.ts'
import { type Plan, pick, plans, rnd } from './jwtgen.config.ts'
import { tokenFor } from './jwtgen.tokens.ts'

const JUNK = 'eyJhbGciOiJub25lIn0.e30.'

function headerForms(name: string, t: string): Array<[string, string]> {
  return pick<Array<[string, string]>>([
    [[name, `Bearer ${t}`]],
    [[name, `Bearer ${t}`]],
    [[name, `Bearer ${t}`]],
    [[name, `${pick(['bearer', 'BEARER', 'bEaReR'])} ${t}`]],
    [[name, `Bearer  ${t}`]],
    [[name, `Bearer\t${t}`]],
    [[name, t]],
    [[name, `Token ${t}`]],
    [
      [name, `Bearer ${t}`],
      [name, `Bearer ${JUNK}`],
    ],
    [
      [name, `Bearer ${JUNK}`],
      [name, `Bearer ${t}`],
    ],
    [[name, `Bearer ${t}, Bearer ${JUNK}`]],
    [[name, 'Bearer ']],
    [[name, `Bearer ${t}  `]],
    [[name, `Bearer`]],
  ])
}

function cookieForms(name: string, t: string): Array<[string, string]> {
  return pick<Array<[string, string]>>([
    [['Cookie', `${name}=${t}`]],
    [['Cookie', `${name}=${t}`]],
    [['Cookie', `${name}="${t}"`]],
    [['Cookie', `a=1; ${name}=${t}; b=2`]],
    [['Cookie', `${name}=${JUNK}; ${name}=${t}`]],
    [['Cookie', `${name}=${t}; ${name}=${JUNK}`]],
    [['Cookie', `${name}=`]],
    [
      ['Cookie', `${name}=${t}`],
      ['Cookie', `${name}=${JUNK}`],
    ],
    [
      ['Cookie', `a=1`],
      ['Cookie', `${name}=${t}`],
    ],
    [['Cookie', ` ${name} = ${t} `]],
    [['Cookie', `${name.toUpperCase()}=${t}`]],
  ])
}

function carry(p: Plan, token: string): Array<[string, string]> {
  const header = p.headerName ?? 'Authorization'
  const cookie = p.cookieKey ?? 'access_token'
  const where = rnd()
  if (where < 0.6) return headerForms(header, token)
  if (where < 0.8) return cookieForms(cookie, token)
  // Both: one of them junk, or both the token.
  return pick([
    [...headerForms(header, token), ...cookieForms(cookie, JUNK)],
    [...headerForms(header, JUNK), ...cookieForms(cookie, token)],
    [...headerForms(header, token), ...cookieForms(cookie, token)],
    [
      ...(header === 'Authorization' ? [] : headerForms('Authorization', token)),
      ...cookieForms('jwt', token),
    ],
  ])
}

const per = Number(process.env.PER ?? 8)
export const cases: Case[] = plans.flatMap((p) =>
  Array.from({ length: per }, () => ({ path: p.path, headers: carry(p, tokenFor(p)) })),
)
