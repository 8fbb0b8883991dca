/**
 * The JWKS download as krakend-jose v2.12 makes it: Go's http.Client (up to 10 redirects followed,
 * `Accept-Encoding: gzip` asked for and undone) over a transport with TLS 1.2 at least, krakend-jose's
 * cipher suites for TLS 1.2, the certificate verified unless `disable_jwk_security`, and KrakenD's
 * User-Agent. (fetch() sent a browser's headers, and verified every certificate.)
 */
import type { Socket } from 'node:net'
import { gunzipLimited, headerValue, isGzip } from '../backend-client.ts'
import { goRequestHeaders } from '../go-http.ts'
import { asGoWritesHeads } from '../go-request-head.ts'
import { goVerifiedConnector, VERIFIED_BY_GO_RULES } from '../go-tls.ts'
import { KRAKEND_USER_AGENT } from '../krakend-compat.ts'
import { throughEnvironmentProxy } from '../proxy-connector.ts'
import { Agent, buildConnector, requestOn } from '../undici.ts'

/** krakend-jose's DefaultEnabledCipherSuites (TLS 1.2), and Go's fixed TLS 1.3 suites. */
const GO_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
].join(':')

const GO_HEADERS = goRequestHeaders({
  'user-agent': KRAKEND_USER_AGENT,
  'accept-encoding': 'gzip',
}) as string[]
const MAX_REDIRECTS = 10
const MAX_JWKS_BYTES = 10 * 1024 * 1024

export interface JwksAnswer {
  contentType: string
  text: string
}

export class JwksClient {
  private readonly agent: InstanceType<typeof Agent>

  constructor(insecure: boolean) {
    const base = throughEnvironmentProxy(
      goVerifiedConnector(
        buildConnector({ ...VERIFIED_BY_GO_RULES, minVersion: 'TLSv1.2', ciphers: GO_CIPHERS }),
        insecure,
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
    let target = new URL(url)
    for (let hop = 0; ; hop++) {
      const answer = await requestOn(this.agent, {
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: 'GET',
        headers: GO_HEADERS,
        signal,
      })
      const location = answer.headers.location
      if ([301, 302, 303, 307, 308].includes(answer.statusCode) && typeof location === 'string') {
        await answer.body.dump()
        if (hop + 1 >= MAX_REDIRECTS)
          throw new Error(`Get "${url}": stopped after ${MAX_REDIRECTS} redirects`)
        target = new URL(location, target)
        continue
      }
      let body: Buffer = Buffer.from(await answer.body.arrayBuffer())
      if (isGzip(answer.headers)) body = await gunzipLimited(body, MAX_JWKS_BYTES)
      return { contentType: headerValue(answer.headers['content-type']) ?? '', text: body.toString('utf8') }
    }
  }
}
