// The configs the gateway benchmark runs, as data: our gateway with every measured endpoint, a baseline
// checkout's runtime and KrakenD with the plain ones.
import { plainEndpoints } from './lab.ts'

interface BenchPorts {
  gateway: number
  baseline: number
  krakend: number
}

export function benchConfigs(at: { backendUrl: string; jwkPath: string; ports: BenchPorts }) {
  const { backendUrl, jwkPath, ports } = at
  const endpoints = plainEndpoints(backendUrl)
  const gateway = {
    version: 3,
    name: 'bench rev-0000000',
    port: ports.gateway,
    listen_ip: '127.0.0.1',
    timeout: '3s',
    extra_config: {
      router: { disable_access_log: true },
      'telemetry/logging': { level: 'ERROR' },
    },
    endpoints: [
      ...endpoints,
      {
        endpoint: '/jwt',
        backend: [{ host: [backendUrl], url_pattern: '/item' }],
        extra_config: {
          'auth/validator': {
            alg: 'HS256',
            jwk_local_path: jwkPath,
            disable_jwk_security: true,
            audience: ['bench'],
            issuer: 'bench',
          },
        },
      },
      {
        endpoint: '/ratelimit',
        backend: [{ host: [backendUrl], url_pattern: '/item' }],
        extra_config: {
          'qos/ratelimit/router': { max_rate: 10_000_000, client_max_rate: 10_000_000, strategy: 'ip' },
        },
      },
    ],
  }
  return {
    gateway,
    // The baseline runs the plain endpoints only: an older runtime may refuse the components.
    baseline: { ...gateway, port: ports.baseline, endpoints },
    krakend: {
      ...gateway,
      port: ports.krakend,
      // As KrakenD's docs advise for production: no access log, logging at ERROR (its output goes to
      // /dev/null: the bench spawns it with stdio ignored). With the access log on it loses about a
      // third of its throughput.
      extra_config: {
        router: { disable_access_log: true },
        'telemetry/logging': { level: 'ERROR', stdout: true, syslog: false, prefix: '[KRAKEND]' },
      },
      endpoints,
    },
  }
}
