/**
 * The JWKS download as krakend-jose v2.12 makes it: Go's http.Client (redirects followed as
 * backend-redirects.ts follows a backend's, `Accept-Encoding: gzip` asked for and undone) over a transport with TLS 1.2 at least (jwks-tls.ts:
 * suites, CAs, pins), the certificate verified by Go's rules unless `disable_jwk_security`, and
 * KrakenD's User-Agent. (fetch() sent a browser's headers, and verified every certificate.)
 */
import type { Socket } from 'node:net'
import { gunzipFirstJsonValue, type Hop, type HopRequest, headerValue, isGzip } from '../backend-client.ts'
import { type CallAt, callFollowingRedirects, type RedirectingRequest } from '../backend-redirects.ts'
import { systemPool } from '../backend-tls.ts'
import { goRequestHeaders } from '../go-http.ts'
import { asGoWritesHeads } from '../go-request-head.ts'
import { GO_TLS13_SUITES, goVerifiedConnector, VERIFIED_BY_GO_RULES } from '../go-tls.ts'
import { KRAKEND_USER_AGENT } from '../krakend-compat.ts'
import { loadBuiltin } from '../libraries.ts'
import { throughEnvironmentProxy } from '../proxy-connector.ts'
import { Agent, buildConnector, requestOn } from '../undici.ts'
import { type JwksTls, pinnedConnector } from './jwks-tls.ts'

type AnswerBody = Awaited<ReturnType<typeof requestOn>>['body']

const HEADERS = { 'user-agent': KRAKEND_USER_AGENT, 'accept-encoding': 'gzip' }
const MAX_JWKS_BYTES = 10 * 1024 * 1024

export interface JwksAnswer {
  contentType: string
  text: string
}

export class JwksClient {
  private readonly agent: InstanceType<typeof Agent>

  /** `localCa`: jwk_local_ca's certificates, trusted besides the system's. Made on the first download. */
  constructor(tls: JwksTls, localCa: string[] | undefined) {
    const ciphers = [...GO_TLS13_SUITES, ...tls.ciphers].join(':')
    const { createSecureContext } = loadBuiltin<typeof import('node:tls')>('node:tls')
    // krakend-jose's RootCAs: the system's, plus jwk_local_ca.
    const roots = [...systemPool(), ...(localCa ?? [])]
    const secureContext = createSecureContext({
      ca: roots,
      minVersion: 'TLSv1.2',
      ciphers,
    })
    const base = throughEnvironmentProxy(
      pinnedConnector(
        goVerifiedConnector(
          buildConnector({ ...VERIFIED_BY_GO_RULES, secureContext }),
          tls.insecure,
          () => roots,
        ),
        tls.fingerprints,
      ),
      process.env,
    )
    const connect: buildConnector.connector = (opts, callback) =>
      base(opts, (error, socket) => {
        if (error) callback(error, null)
        else
          callback(
            null,
            asGoWritesHeads(socket as Socket, () => {}),
          )
      })
    this.agent = new Agent({ connect })
  }

  async get(url: string, signal: AbortSignal): Promise<JwksAnswer> {
    const target = new URL(url)
    const path = target.pathname + target.search
    const req: RedirectingRequest = {
      origin: target.origin,
      pool: this.agent,
      path,
      method: 'GET',
      headers: HEADERS,
      body: undefined,
    }
    const hop: HopRequest = {
      dispatcher: this.agent,
      origin: target.origin,
      path,
      method: 'GET',
      headers: HEADERS,
      body: undefined,
    }
    const send = async (next: HopRequest): Promise<Hop<AnswerBody>> => {
      const answer = await requestOn(next.dispatcher, {
        origin: next.origin,
        path: next.path,
        method: 'GET',
        headers: goRequestHeaders(next.headers) as string[],
        signal,
      })
      return {
        statusCode: answer.statusCode,
        headers: answer.headers,
        answer: answer.body,
        discard: () => void answer.body.dump().catch(() => {}),
      }
    }
    const at: CallAt = { url: target.href, errorUrl: target.href }
    const answer = await callFollowingRedirects(req, hop, send, () => this.agent, at)
    let body: Buffer = Buffer.from(await answer.answer.arrayBuffer())
    // go-auth0's json.Decoder takes the first value: a read error after it goes unseen
    if (isGzip(answer.headers)) body = await gunzipFirstJsonValue(body, MAX_JWKS_BYTES)
    return { contentType: headerValue(answer.headers['content-type']) ?? '', text: body.toString('utf8') }
  }
}
