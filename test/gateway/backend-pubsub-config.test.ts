// backend/pubsub/* configs this runtime refuses before anything runs, where KrakenD's
// krakend-pubsub would open nothing and fall back to an HTTP call to the URL (a driver this
// runtime does not carry, a host the sanitizer turns into http://, a query parameter gocloud
// refuses), and what a node needs to run one (the driver's server URL, one worker for a subscriber).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { natsServers } from '../../src/gateway/backend-pubsub/nats-servers.ts'
import { refuseUnrunnablePubsub } from '../../src/gateway/backend-pubsub/start-checks.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'

const config = (
  namespace: string,
  settings: Record<string, unknown>,
  backend: Record<string, unknown> = {},
) => ({
  version: 3,
  endpoints: [
    {
      endpoint: '/e',
      backend: [
        {
          host: ['nats://'],
          disable_host_sanitize: true,
          url_pattern: '/x',
          ...backend,
          extra_config: { [namespace]: settings },
        },
      ],
    },
  ],
})

const errorsOf = (raw: unknown) => validateGatewayConfig(raw).errors

test('nats://, rabbit://, awssns:// and awssqs:// backends load, under the old namespace names too', () => {
  for (const ns of ['backend/pubsub/publisher', 'github.com/devopsfaith/krakend-pubsub/publisher'])
    assert.deepEqual(errorsOf(config(ns, { topic_url: 'subject?natsv2' })), [])
  const sub = validateGatewayConfig(
    config(
      'github.com/devopsfaith/krakend-pubsub/subscriber',
      { subscription_url: 'queue' },
      { host: ['rabbit://'] },
    ),
  )
  assert.deepEqual(sub.errors, [])
  assert.deepEqual(sub.config?.endpoints[0]?.backends[0]?.pubsub, {
    role: 'subscriber',
    url: 'rabbit://queue',
    target: { driver: 'rabbit', name: 'queue' },
  })
  const sqs = validateGatewayConfig(
    config(
      'backend/pubsub/subscriber',
      {
        subscription_url: 'sqs.us-east-2.amazonaws.com/123/q?region=us-east-2&raw=true&waittime=2s&awssdk=v2',
      },
      { host: ['awssqs://'] },
    ),
  )
  assert.deepEqual(sqs.errors, [])
  assert.deepEqual(sqs.config?.endpoints[0]?.backends[0]?.pubsub?.target, {
    driver: 'aws',
    service: 'sqs',
    queueUrl: 'https://sqs.us-east-2.amazonaws.com/123/q',
    region: 'us-east-2',
    raw: true,
    waitTimeS: 2,
  })
  const sns = validateGatewayConfig(
    config(
      'backend/pubsub/publisher',
      { topic_url: '/arn:aws:sns:us-east-2:123:t' },
      { host: ['awssns://'] },
    ),
  )
  assert.equal(
    (sns.config?.endpoints[0]?.backends[0]?.pubsub?.target as { arn?: string } | undefined)?.arn,
    'arn:aws:sns:us-east-2:123:t',
  )
})

test('drivers that could not be checked against a real peer are refused, saying which', () => {
  for (const [host, what] of [
    ['gcppubsub://projects/p/topics/', 'Google Cloud Pub/Sub'],
    ['azuresb://', 'Azure Service Bus'],
  ]) {
    const errors = errorsOf(config('backend/pubsub/publisher', { topic_url: 't' }, { host: [host] }))
    assert.equal(errors.length, 1, JSON.stringify(errors))
    assert.match(errors[0]?.message ?? '', new RegExp(`the ${what}.* driver is not supported here`))
    assert.equal(errors[0]?.location?.path, 'endpoints[0].backend[0].extra_config.backend/pubsub/publisher')
  }
})

test('a host the sanitizer would turn into http:// is refused: KrakenD would call it over HTTP', () => {
  const errors = errorsOf(
    config('backend/pubsub/publisher', { topic_url: 't' }, { disable_host_sanitize: false }),
  )
  assert.equal(errors.length, 1, JSON.stringify(errors))
  assert.match(errors[0]?.message ?? '', /sanitizer turns "nats:\/\/" into an http:\/\/ host/)
  assert.match(errors[0]?.hint ?? '', /"disable_host_sanitize": true/)
})

test("query parameters gocloud's openers refuse, and a wrong type, are refused", () => {
  const cases: Array<[string, Record<string, unknown>, RegExp, string?]> = [
    ['backend/pubsub/publisher', { topic_url: 's?queue=q' }, /invalid query parameter queue/],
    ['backend/pubsub/subscriber', { subscription_url: 's?natsv2=maybe' }, /parsable as a boolean/],
    [
      'backend/pubsub/publisher',
      { topic_url: 'ex?prefetch_count=1' },
      /invalid query parameter "prefetch_count"/,
      'rabbit://',
    ],
    ['backend/pubsub/subscriber', { subscription_url: 'q?prefetch_count=x' }, /not an integer/, 'rabbit://'],
    ['backend/pubsub/publisher', { topic_url: 7 }, /"topic_url" must be a string/],
    [
      'backend/pubsub/subscriber',
      { subscription_url: 'arn:aws:sns:us-east-1:1:t' },
      /no subscription driver for the scheme "awssns"/,
      'awssns:///',
    ],
    [
      'backend/pubsub/publisher',
      { topic_url: 'h/1/q?fips=true' },
      /"fips" is not supported here/,
      'awssqs://',
    ],
    [
      'backend/pubsub/publisher',
      { topic_url: 'h/1/q?waittime=1s' },
      /unknown query parameter "waittime"/,
      'awssqs://',
    ],
    [
      'backend/pubsub/subscriber',
      { subscription_url: 'h/1/q?waittime=30s' },
      /outside SQS's 0 to 20 seconds/,
      'awssqs://',
    ],
  ]
  for (const [ns, settings, message, host] of cases) {
    const errors = errorsOf(config(ns, settings, host ? { host: [host] } : {}))
    assert.ok(
      errors.some((e) => message.test(e.message)),
      JSON.stringify(errors),
    )
  }
})

test('a node refuses a driver without its server URL', () => {
  const loaded = validateGatewayConfig(config('backend/pubsub/subscriber', { subscription_url: 's' })).config
  assert.ok(loaded)
  assert.throws(() => refuseUnrunnablePubsub(loaded, {}, 'krakend.json'), /NATS_SERVER_URL is not set/)
  refuseUnrunnablePubsub(loaded, { NATS_SERVER_URL: 'nats://n:4222' }, 'krakend.json')
})

test("lura's HTTP client namespaces beside a pub/sub backend are refused: KrakenD would skip them", () => {
  const raw = config('backend/pubsub/publisher', { topic_url: 's' })
  const backend = raw.endpoints[0]?.backend[0] as { extra_config: Record<string, unknown> }
  backend.extra_config['qos/http-cache'] = {}
  backend.extra_config['backend/http'] = { return_error_code: true }
  const errors = errorsOf(raw)
  assert.deepEqual(
    errors.map((e) => e.location?.path),
    [
      'endpoints[0].backend[0].extra_config.qos/http-cache',
      'endpoints[0].backend[0].extra_config.backend/http',
    ],
  )
  assert.match(
    errors[0]?.message ?? '',
    /beside "backend\/pubsub\/publisher": KrakenD publishes the request instead/,
  )
})

test('a pub/sub backend on a no-op endpoint is refused: KrakenD answers 200 and an empty body whatever happened', () => {
  const raw = config('backend/pubsub/publisher', { topic_url: 's' })
  ;(raw.endpoints[0] as Record<string, unknown>).output_encoding = 'no-op'
  const errors = errorsOf(raw)
  assert.equal(errors.length, 1, JSON.stringify(errors))
  assert.match(errors[0]?.message ?? '', /pub\/sub backend on the no-op endpoint \/e/)
})

test('an AWS backend the environment would send through a proxy is refused at start; NO_PROXY lets it run', () => {
  const loaded = validateGatewayConfig(
    config('backend/pubsub/publisher', { topic_url: 'h/1/q?region=eu-west-1' }, { host: ['awssqs://'] }),
  ).config
  assert.ok(loaded)
  const proxy = { HTTPS_PROXY: 'http://proxy.internal:3128' }
  assert.throws(
    () => refuseUnrunnablePubsub(loaded, proxy, 'krakend.json'),
    /calls https:\/\/sqs\.eu-west-1\.amazonaws\.com through the proxy/,
  )
  refuseUnrunnablePubsub(loaded, { ...proxy, NO_PROXY: '.amazonaws.com' }, 'krakend.json')
  refuseUnrunnablePubsub(loaded, {}, 'krakend.json')
})

test('NATS_SERVER_URL as nats.go reads it: a list, no scheme meaning nats://; tls:// and ws:// refused at start', () => {
  assert.deepEqual(natsServers('nats://u:p%40ss@a:4222, b:4223'), {
    servers: ['a:4222', 'b:4223'],
    auth: { user: 'u', pass: 'p@ss' },
  })
  assert.deepEqual(natsServers('nats://s3cr3t@a:4222').auth, { token: 's3cr3t' })
  const loaded = validateGatewayConfig(config('backend/pubsub/publisher', { topic_url: 's' })).config
  assert.ok(loaded)
  assert.throws(
    () => refuseUnrunnablePubsub(loaded, { NATS_SERVER_URL: 'tls://a:4222' }, 'krakend.json'),
    /names the scheme tls:\/\//,
  )
  refuseUnrunnablePubsub(loaded, { NATS_SERVER_URL: 'a:4222,nats://b:4222' }, 'krakend.json')
})
