// reqmut.config.ts behind another security/http: ssl_redirect with ssl_proxy_headers,
// allowed_hosts_are_regex and two host_proxy_headers, for reqmut-ssl.cases.ts (Host, :authority,
// absolute-form targets, X-Forwarded-Proto and X-Forwarded-Host spellings, odd paths in Location).
import { config as base } from './reqmut.config.ts'

export const config = {
  ...base,
  name: 'reqmut-ssl',
  extra_config: {
    ...base.extra_config,
    'security/http': {
      allowed_hosts: ['^good\\.example$', 'localhost', '^127\\.0\\.0\\.1(:\\d+)?$', '(?i)^CAPS\\.example$'],
      allowed_hosts_are_regex: true,
      host_proxy_headers: ['X-Forwarded-Host', 'X-Host'],
      ssl_redirect: true,
      ssl_proxy_headers: { 'X-Forwarded-Proto': 'https' },
      sts_seconds: 60,
      sts_include_subdomains: true,
    },
  },
}
