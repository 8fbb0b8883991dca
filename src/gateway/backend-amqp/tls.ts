// amqps: the TLS amqp091-go's tlsConfigFromURI makes for a broker URL, as Node socket options, made
// at each dial (Go reads the files at each dial too): the CA file's certificates, else the system's
// (backend-tls.ts's pool); a client certificate when both certfile and keyfile are set; TLS 1.2 or
// later; the server's certificate must name server_name_indication (else the host) in its SANs,
// Go having dropped the legacy Common Name.

import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import type { ConnectionOptions, PeerCertificate } from 'node:tls'
import { systemPool } from '../backend-tls.ts'
import { loadBuiltin } from '../libraries.ts'
import type { AmqpTls } from './broker-url.ts'

export type AmqpTlsOptions = () => ConnectionOptions

export function amqpTlsOptions(settings: AmqpTls): AmqpTlsOptions {
  return () => {
    const tls = loadBuiltin<typeof import('node:tls')>('node:tls')
    const clientCertificate = settings.certFile !== '' && settings.keyFile !== ''
    return {
      ca: settings.caCertFile !== '' ? [readFileSync(settings.caCertFile, 'utf8')] : [...systemPool()],
      ...(clientCertificate
        ? { cert: readFileSync(settings.certFile, 'utf8'), key: readFileSync(settings.keyFile, 'utf8') }
        : {}),
      minVersion: 'TLSv1.2',
      ...(isIP(settings.serverName) ? {} : { servername: settings.serverName }),
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        cert.subjectaltname
          ? tls.checkServerIdentity(settings.serverName, cert)
          : new Error('x509: certificate relies on legacy Common Name field, use SANs instead'),
    }
  }
}
