// The wire side of jwtgen's tokens (jwtgen.tokens.ts draws them): the draft a token is built from,
// mutations of its signature and of its encoding (padding, standard base64, whitespace, extra parts,
// JWE-shaped, the JWS JSON serialization's forms), and the token written from a draft.
import { pick, rnd } from './jwtgen.config.ts'
import { type KeyName, keyFor, signatureOf, u } from './jwtgen.keys.ts'

export type Json = Record<string, unknown>
export interface Draft {
  header: Json
  claims: Json
  /** JSON texts replacing the objects (repeated members, numbers JSON.stringify cannot write). */
  headerText?: string
  claimsBytes?: Buffer
  signAlg: string
  key: KeyName | 'none'
  /** Mutations of the finished compact token. */
  finish: Array<(token: string) => string>
  /** The JWS JSON serialization instead of the compact one. */
  json?: JsonForm
}

/** A JWS JSON serialization of the parts (base64url texts) as one form writes it. */
type JsonForm = (protectedPart: string, payload: string, signature: string, header: Json) => object
const JSON_FORMS: JsonForm[] = [
  (protectedPart, payload, signature) => ({ payload, protected: protectedPart, signature }),
  (protectedPart, payload, signature) => ({ payload, signatures: [{ protected: protectedPart, signature }] }),
  (protectedPart, payload, signature) => ({
    payload,
    signatures: [
      { protected: protectedPart, signature },
      { protected: protectedPart, signature },
    ],
  }),
  (protectedPart, payload, signature) => ({ payload, signatures: [], protected: protectedPart, signature }),
  // kid (or alg) moved to the unprotected header.
  (_, payload, signature, header) => {
    const { kid, ...rest } = header
    const protectedPart = u(JSON.stringify(rest))
    return { payload, protected: protectedPart, header: { kid, alg: 'none' }, signature, '@resign': rest }
  },
  (protectedPart, payload, signature, header) => ({
    payload,
    signatures: [{ protected: protectedPart, header: { kid: header.kid, nonce: 'n' }, signature }],
  }),
  // alg in the unprotected header only (flattened: go-jose merges it in; general: it does not).
  (_, payload, signature, header) => {
    const { alg, ...rest } = header
    return { payload, protected: u(JSON.stringify(rest)), header: { alg }, signature, '@resign': rest }
  },
  (_, payload, signature, header) => {
    const { alg, ...rest } = header
    const signed = {
      payload,
      signatures: [{ protected: u(JSON.stringify(rest)), header: { alg }, signature }],
    }
    return { ...signed, '@resign': rest }
  },
  (protectedPart, payload) => ({ payload, protected: protectedPart }),
  (protectedPart, _, signature) => ({ protected: protectedPart, signature }),
  (_, payload, signature, header) => ({ payload, header, signature }),
  (protectedPart, payload, signature) => ({
    payload,
    protected: protectedPart,
    signature,
    extra: Number.POSITIVE_INFINITY,
  }),
]

export const SIGNATURE_MUTATIONS: Array<(d: Draft) => void> = [
  (d) => {
    d.key = keyFor(d.signAlg, 'other')
  },
  (d) => {
    d.signAlg = d.signAlg.replace(/256$/, '384').replace(/(384|512)$/, '256')
  },
  (d) => {
    d.finish.push((t) =>
      t.replace(/\.[^.]*$/, (s) => `.${s.slice(1, 3) === 'AA' ? 'BB' : 'AA'}${s.slice(3)}`),
    )
  },
  (d) => {
    d.finish.push((t) => t.replace(/\.[^.]*$/, pick(['.', '.AA', '.A', '.====', ''])))
  },
  (d) => {
    d.finish.push((t) => t.slice(0, -4))
  },
]

export const ENCODING_MUTATIONS: Array<(d: Draft) => void> = [
  (d) =>
    d.finish.push((t) =>
      t
        .split('.')
        .map((s) => `${s}${pick(['=', '==', ''])}`)
        .join('.'),
    ),
  (d) => d.finish.push((t) => t.replaceAll('-', '+').replaceAll('_', '/')),
  (d) =>
    d.finish.push((t) => {
      const at = 1 + Math.floor(rnd() * (t.length - 2))
      return `${t.slice(0, at)}${pick([' ', '\t', '  ', '\u00c2\u00a0', '\u00e2\u0080\u0083'])}${t.slice(at)}`
    }),
  (d) => d.finish.push((t) => `${t}${pick(['.', '.x', '..', '.e30.e30'])}`),
  (d) => d.finish.push((t) => `${t.split('.')[0]}.${u('key')}.${u('iv')}.${u('ct')}.${u('tag')}`),
  (d) => d.finish.push((t) => `${t}${pick(['!', '%', 'é', '\u00c3\u00a9'])}`),
  (d) => d.finish.push((t) => t.replace(/^[^.]*\./, '.')),
  (d) => {
    d.json = pick(JSON_FORMS)
  },
]

export function assemble(d: Draft): string {
  const headerPart = u(d.headerText ?? JSON.stringify(d.header))
  const payloadBytes = d.claimsBytes ?? Buffer.from(JSON.stringify(d.claims))
  const unencoded = d.header.b64 === false && d.headerText === undefined
  const payloadPart = u(payloadBytes)
  const input = unencoded
    ? `${headerPart}.${payloadBytes.toString('latin1')}`
    : `${headerPart}.${payloadPart}`
  const signature = d.key === 'none' ? Buffer.alloc(0) : signatureOf(input, d.signAlg, d.key)
  if (d.json) {
    const value = d.json(headerPart, payloadPart, u(signature), d.header) as Json
    // A protected header without kid is signed again as it is.
    const resign = value['@resign'] as Json | undefined
    if (resign !== undefined) {
      delete value['@resign']
      const part = u(JSON.stringify(resign))
      const signature = d.key === 'none' ? '' : u(signatureOf(`${part}.${payloadPart}`, d.signAlg, d.key))
      const entry = (value.signatures as Json[] | undefined)?.[0] ?? value
      entry.signature = signature
    }
    let json = JSON.stringify(value).replace('"extra":null', '"extra":1e400')
    // The same mutations of the finished text (whitespace go-jose strips inside the JSON too).
    for (const f of d.finish) json = f(json)
    return json
  }
  let token = `${headerPart}.${payloadPart}.${u(signature)}`
  for (const f of d.finish) token = f(token)
  return token
}
