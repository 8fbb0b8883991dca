/** KrakenD's startup environment: KRAKEND_* overrides, flexible configuration, GWDEPLOY_ENV_DIR. */
import assert from 'node:assert/strict'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { loadEnvDir } from '../../src/gateway/config/env-dir.ts'
import { applyKrakendEnv } from '../../src/gateway/config/env-overrides.ts'
import { renderFlexibleConfig } from '../../src/gateway/config/flexible/render.ts'
import { checkGatewayConfigFile } from '../../src/gateway/config/load.ts'
import { goFormatFloat } from '../../src/gateway/go-float.ts'
import { goProxyFor, refuseUnspokenProxies } from '../../src/gateway/proxy-environment.ts'
import { tempDir } from '../helpers/files.ts'
import { mustConfig } from './helpers.ts'

const BASE = {
  version: 3,
  name: 'base',
  port: 8080,
  endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] }],
}

describe('KRAKEND_* environment overrides (krakend-koanf semantics)', () => {
  it('replaces top-level keys with weakly typed values; unknown keys are ignored', () => {
    const { value, applied, problems } = applyKrakendEnv(BASE, {
      KRAKEND_PORT: '0x1F90',
      KRAKEND_NAME: 'from env',
      KRAKEND_TIMEOUT: '5s',
      KRAKEND_DEBUG_ENDPOINT: 'T',
      KRAKEND_HOST: 'http://a:1,http://b:2',
      KRAKEND_WHATEVER: 'x',
      // Names of Object.prototype's members are unknown keys like any other.
      KRAKEND_CONSTRUCTOR: 'x',
      KRAKEND_TOSTRING: 'x',
      OTHER_PORT: '1',
    })
    assert.deepEqual(problems, [])
    const v = value as Record<string, unknown>
    assert.equal(v.port, 8080)
    assert.equal(v.name, 'from env')
    assert.equal(v.timeout, '5s')
    assert.equal(v.debug_endpoint, true)
    assert.deepEqual(
      v.host,
      ['http://a:1,http://b:2'],
      'weak decoding lifts a string into a one-element list',
    )
    assert.equal(v.whatever, undefined)
    assert.equal(Object.hasOwn(v, 'constructor') || Object.hasOwn(v, 'tostring'), false)
    assert.deepEqual(applied, [
      'KRAKEND_DEBUG_ENDPOINT',
      'KRAKEND_HOST',
      'KRAKEND_NAME',
      'KRAKEND_PORT',
      'KRAKEND_TIMEOUT',
    ])
  })

  it('refuses a bad int or bool and any object key, naming the variable but not its value', () => {
    const { problems } = applyKrakendEnv(BASE, {
      KRAKEND_PORT: 'eighty',
      KRAKEND_USE_H2C: 'yes',
      KRAKEND_EXTRA_CONFIG: '{}',
    })
    assert.equal(problems.length, 3)
    const text = problems.map((p) => p.message).join('\n')
    assert.match(text, /KRAKEND_PORT is not an integer/)
    assert.match(text, /KRAKEND_USE_H2C is not a boolean/)
    assert.match(text, /KRAKEND_EXTRA_CONFIG cannot override "extra_config"/)
    assert.ok(!text.includes('eighty'))
  })
})

describe("proxies from the environment (Go's http.ProxyFromEnvironment, which KrakenD's clients use)", () => {
  const proxy = (env: Record<string, string>, url: string) => {
    const found = goProxyFor(env, new URL(url))
    return found && `${found.scheme}://${found.hostname}:${found.port}`
  }
  it('HTTP_PROXY for http URLs, HTTPS_PROXY for https, upper case first; none for loopback', () => {
    const env = { HTTP_PROXY: 'http://p:3128', https_proxy: 'https://s', HTTPS_PROXY: '' }
    assert.equal(proxy(env, 'http://api.example.com/x'), 'http://p:3128')
    assert.equal(proxy(env, 'https://api.example.com/x'), 'https://s:443')
    assert.equal(proxy({ HTTP_PROXY: 'a', http_proxy: 'b' }, 'http://h'), 'http://a:80')
    for (const url of [
      'http://localhost:8080',
      'http://127.0.0.5',
      'http://[::1]:80',
      'http://[::ffff:127.0.0.1]',
    ])
      assert.equal(proxy(env, url), undefined, url)
    assert.equal(proxy({ ...env, REQUEST_METHOD: 'GET' }, 'http://api.example.com'), undefined, 'CGI')
  })

  it("a proxy value as httpproxy's parseProxy reads it: http:// assumed, credentials as Basic, bogus ones ignored", () => {
    const read = (value: string) => goProxyFor({ HTTP_PROXY: value }, new URL('http://api.example.com'))
    assert.deepEqual(read('proxy.corp:3128'), {
      scheme: 'http',
      hostname: 'proxy.corp',
      port: 3128,
      user: undefined,
    })
    assert.deepEqual(read('socks5://gw:1085'), {
      scheme: 'socks5',
      hostname: 'gw',
      port: 1085,
      user: undefined,
    })
    assert.equal(read('http://[::1]:3128')?.hostname, '::1')
    assert.deepEqual(read('https://u%40corp:p%3Ass@p.corp')?.user, { name: 'u@corp', password: 'p:ss' })
    assert.deepEqual(read('socks5h://user@p')?.user, { name: 'user', password: '' })
    // Neither the value nor http:// + value parses as Go's url.Parse reads them: a direct connection.
    assert.equal(read('%zz'), undefined)
    assert.equal(read('http://p:3128/%zz'), undefined)
    // Go takes any digits for a port (and fails each call); refused at start here.
    assert.equal(read('http://p:99999999999999999999')?.unreadable, true)
  })

  it("NO_PROXY as httpproxy reads it: names and their subdomains, '.' and '*.' for subdomains only, IPs, CIDRs, ports", () => {
    const via = (noProxy: string, url: string) =>
      proxy({ HTTP_PROXY: 'http://p', NO_PROXY: noProxy }, url) !== undefined
    assert.equal(via('example.com', 'http://example.com'), false)
    assert.equal(via('example.com', 'http://a.example.com'), false)
    assert.equal(via('example.com', 'http://badexample.com'), true)
    assert.equal(via('.example.com', 'http://example.com'), true)
    assert.equal(via('*.example.com', 'http://a.example.com'), false)
    assert.equal(via('example.com:8080', 'http://example.com:8080'), false)
    assert.equal(via('example.com:8080', 'http://example.com'), true)
    assert.equal(via('10.0.0.0/8', 'http://10.1.2.3'), false)
    assert.equal(via('10.0.0.0/8', 'http://11.1.2.3'), true)
    assert.equal(via('10.1.2.3', 'http://10.1.2.3'), false)
    assert.equal(via('[2001:db8::1]:80', 'http://[2001:db8::1]'), false)
    assert.equal(
      via('10.1.2.3', 'http://host10.1.2.3.example'),
      true,
      'an address entry never matches a name',
    )
    assert.equal(via(' API.example.com , other ', 'http://api.example.com'), false)
    assert.equal(via('*', 'http://anything'), false)
  })

  it('a config whose backend, JWKS or token URL would go through a proxy of another scheme is refused, naming origins only', () => {
    const config = mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/a',
          backend: [
            { host: ['http://10.0.0.5:8080', 'http://127.0.0.1:19'], url_pattern: '/a' },
            {
              host: ['http://internal.example'],
              url_pattern: '/b',
              extra_config: {
                'auth/client-credentials': {
                  client_id: 'id',
                  client_secret: 'secret',
                  token_url: 'https://idp.example/token?key=hidden',
                },
              },
            },
          ],
        },
      ],
    })
    assert.doesNotThrow(() => refuseUnspokenProxies(config, {}))
    assert.doesNotThrow(() =>
      refuseUnspokenProxies(config, { HTTP_PROXY: 'http://p', HTTPS_PROXY: 'https://p' }),
    )
    assert.throws(
      () =>
        refuseUnspokenProxies(config, {
          HTTP_PROXY: 'ftp://user:secret@p:21',
          HTTPS_PROXY: 'ftp://user:secret@p:21',
          NO_PROXY: '.example',
        }),
      (error: Error & { exitCode?: number }) => {
        assert.equal(error.exitCode, 2)
        assert.match(error.message, /ftp:\/\/ proxy .*http:\/\/10\.0\.0\.5:8080/)
        assert.doesNotMatch(error.message, /internal\.example|idp\.example|hidden|127\.0\.0\.1|secret/)
        return true
      },
    )
    assert.throws(
      () => refuseUnspokenProxies(config, { HTTP_PROXY: 'http://p', HTTPS_PROXY: 'gopher://p:70' }),
      /https:\/\/idp\.example/,
    )
    assert.throws(
      () => refuseUnspokenProxies(config, { HTTP_PROXY: 'http://p:123456' }),
      /unreadable proxy .*http:\/\/10\.0\.0\.5:8080/,
    )
  })
})

describe('flexible configuration', () => {
  let dir: string
  before(async () => {
    dir = tempDir('gwd-fc-')
    await mkdir(join(dir, 'settings'))
    await mkdir(join(dir, 'partials'))
    await mkdir(join(dir, 'templates'))
    await writeFile(
      join(dir, 'settings', 'service.json'),
      JSON.stringify({ name: 'svc', port: 8081, hosts: ['http://127.0.0.1:19'], paths: ['/a', '/b'] }),
    )
    await writeFile(join(dir, 'partials', 'timeout.txt'), '"timeout": "3s",')
    await writeFile(
      join(dir, 'templates', 'backend.tmpl'),
      '{{ define "backend.tmpl" }}[{"host": {{ marshal .hosts }}, "url_pattern": "{{ .path }}"}]{{ end }}\n',
    )
    await writeFile(
      join(dir, 'krakend.tmpl'),
      `{
  "version": 3,
  "name": "{{ .service.name }}",
  "port": {{ .service.port }},
  {{ include "timeout.txt" }}
  "endpoints": [
  {{- range $i, $p := .service.paths }}{{ if $i }},{{ end }}
    {"endpoint": "{{ $p }}", "backend": {{ template "backend.tmpl" (dict "hosts" $.service.hosts "path" $p) }}}
  {{- end }}
  ],
  "extra_config": {"@note": "{{ env "NOTE" | default "none" | upper }}"}
}
`,
    )
  })
  after(() => rm(dir, { recursive: true, force: true }))

  const options = (env: Record<string, string> = {}) => ({
    settings: join(dir, 'settings'),
    partials: join(dir, 'partials'),
    templates: join(dir, 'templates'),
    env: (name: string) => env[name],
  })

  it('renders settings, include, template with dict, marshal, range and env pipelines', () => {
    const out = JSON.parse(renderFlexibleConfig(join(dir, 'krakend.tmpl'), options({ NOTE: 'hi' })))
    assert.equal(out.name, 'svc')
    assert.equal(out.port, 8081)
    assert.equal(out.timeout, '3s')
    assert.deepEqual(
      out.endpoints.map((e: { endpoint: string }) => e.endpoint),
      ['/a', '/b'],
    )
    assert.deepEqual(out.endpoints[1].backend, [{ host: ['http://127.0.0.1:19'], url_pattern: '/b' }])
    assert.equal(out.extra_config['@note'], 'HI')
  })

  it('FC_* from the environment, then KRAKEND_* on the rendered config, as KrakenD CE loads it', async () => {
    const outFile = join(dir, 'out.json')
    const result = checkGatewayConfigFile(join(dir, 'krakend.tmpl'), {
      environ: {
        FC_ENABLE: '1',
        FC_SETTINGS: join(dir, 'settings'),
        FC_PARTIALS: join(dir, 'partials'),
        FC_TEMPLATES: join(dir, 'templates'),
        FC_OUT: outFile,
        KRAKEND_PORT: '9000',
      },
    })
    assert.deepEqual(result.errors, [])
    assert.equal(result.config?.port, 9000)
    assert.equal(result.config?.name, 'svc')
    assert.equal(JSON.parse(await readFile(outFile, 'utf8')).port, 8081, 'FC_OUT holds the rendered file')
  })

  it('refuses what KrakenD would silently get wrong: missing values, partials and unknown functions', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"name": "{{ .service.nope }}"}', /value is missing/],
      ['{{ include "nope.txt" }}', /partial "nope.txt" cannot be read/],
      ['{{ sha256sum "x" }}', /function "sha256sum" is not supported/],
      // Object.prototype's members are not template functions (they rendered "map[]" and "[object Undefined]").
      ['{{ constructor }}', /function "constructor" is not supported/],
      ['{{ toString }}', /function "toString" is not supported/],
      ['{{ if .service.name }}', /without \{\{end\}\}/],
      ['{{ template "missing.tmpl" . }}', /no such template "missing.tmpl"/],
    ]
    for (const [text, message] of cases) {
      const file = join(dir, 'bad.tmpl')
      await writeFile(file, `\n${text}\n`)
      assert.throws(
        () => renderFlexibleConfig(file, options()),
        (error: Error & { exitCode?: number; location?: { line?: number } }) =>
          error.exitCode === 2 && message.test(error.message) && error.location?.line === 2,
        text,
      )
    }
  })

  it('dict keeps any key, `__proto__` included, as a Go map does', async () => {
    const file = join(dir, 'dict.tmpl')
    await writeFile(
      file,
      '{{ $d := dict "__proto__" 1 "a" 2 }}{"p": {{ index $d "__proto__" }}, "has": {{ hasKey $d "__proto__" }}, "all": {{ toJson $d }}}',
    )
    assert.deepEqual(JSON.parse(renderFlexibleConfig(file, options())), {
      p: 1,
      has: true,
      all: JSON.parse('{"__proto__":1,"a":2}'),
    })
  })

  it('prints numbers as Go prints a float64', () => {
    assert.deepEqual([8080, 100000000, 1234567, 0.5, 0.00001, -2].map(goFormatFloat), [
      '8080',
      '1e+08',
      '1.234567e+06',
      '0.5',
      '1e-05',
      '-2',
    ])
  })
})

describe('GWDEPLOY_ENV_DIR / GWDEPLOY_ENV_FILES_DIR', () => {
  it('sets one variable per secret file and every line of the env files', async () => {
    const dir = tempDir('gwd-envdir-')
    try {
      await mkdir(join(dir, 'env'))
      await mkdir(join(dir, 'files'))
      await writeFile(join(dir, 'env', 'API_KEY'), 'k3y\n')
      await writeFile(join(dir, 'env', 'not a name'), 'ignored')
      await writeFile(
        join(dir, 'files', '0.env'),
        '# comment\n\nA=1\nB=two=2\nAPI_KEY=overridden-by-the-file\n',
      )
      const environ: Record<string, string | undefined> = {
        GWDEPLOY_ENV_DIR: join(dir, 'env'),
        GWDEPLOY_ENV_FILES_DIR: join(dir, 'files'),
      }
      loadEnvDir(environ)
      assert.equal(environ.API_KEY, 'k3y', 'a secret file wins over an env file')
      assert.equal(environ.A, '1')
      assert.equal(environ.B, 'two=2')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
