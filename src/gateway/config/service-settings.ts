/**
 * Top-level keys of lura's ServiceConfig that this runtime does not implement. Each is refused when
 * it would change what traffic gets through or what a backend receives, warned about when it only
 * tunes KrakenD's own machinery; transport tuning that changes nothing a client or backend sees is
 * accepted silently (see the README's deviations).
 */
import { isObject } from '../components/types.ts'
import type { ProblemAt } from './field-reader.ts'

export function checkServiceSettings(
  value: Record<string, unknown>,
  runtime: 'bundled' | 'krakend' | undefined,
  error: ProblemAt,
  warn: ProblemAt,
): void {
  // A TLS listener (maybe with client certificates, mTLS) served as plain HTTP would accept
  // connections KrakenD refuses. Nodes sit behind the balancer gwdeploy drives, which speaks HTTP
  // and h2c to them and probes their health over plain HTTP, with either runtime.
  const tls = value.tls
  if (tls !== undefined && !(isObject(tls) && tls.disabled === true))
    error(
      ['tls'],
      `"tls" ${isObject(tls) && tls.enable_mtls === true ? '(with enable_mtls) ' : ''}is not supported: gateway nodes serve plain HTTP and h2c to the load balancer in front of them`,
      'terminate TLS (and mTLS) at the load balancer, then remove "tls" or set "tls": {"disabled": true}',
    )
  if (runtime === 'krakend') return
  if (value.plugin !== undefined)
    warn(
      ['plugin'],
      '"plugin" is ignored: this runtime loads no Go plugins (plugin/* namespaces are refused)',
      'remove it',
    )
}
