// header.Id, header.Verifier and port.Filter (modifier/martian) as KrakenD CE 2.13.8 runs them.
// header.Id's UUID is random: each /id* endpoint runs a header.RegexFilter after it that replaces
// a version-4 UUID by `X-Id-Shape: uuid4`, so the backend sees the ID's shape, or the client's own
// ID as it was kept. port.Filter compares the recording backend's port (PORT_BASE moves it), on
// the request, on the answer (no-op endpoints pass its headers on) and after a redirect to
// localhost; an IPv6 host without a port (disable_host_sanitize) fails the call before it is sent.
// Requests: martian-gaps.cases.ts.
import { ports } from '../side-by-side.ts'
import { scripted } from './scripted.ts'

const PORT = ports().backend
const R = ['request']
const UUID4 = '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

/** header.Id on `name` (the config's `header`, or none), its random ID shown by its shape. */
const id = (idBody: Record<string, unknown>, name: string) => ({
  'fifo.Group': {
    scope: R,
    modifiers: [
      { 'header.Id': idBody },
      {
        'header.RegexFilter': {
          header: name,
          regex: UUID4,
          modifier: {
            'fifo.Group': {
              modifiers: [
                { 'header.Modifier': { name: 'X-Id-Shape', value: 'uuid4' } },
                { 'header.Blacklist': { names: [name] } },
              ],
            },
          },
        },
      },
    ],
  },
})

const set = (name: string, value: string) => ({ 'header.Modifier': { name, value } })

const backend = (martian: unknown, more: Record<string, unknown> = {}) => ({
  url_pattern: '/echo',
  ...more,
  extra_config: { 'modifier/martian': martian },
})

const endpoint = (path: string, martian: unknown, more: Record<string, unknown> = {}) => ({
  endpoint: path,
  backend: [backend(martian)],
  ...more,
})

/**
 * A no-op endpoint: the backend's answer (its headers too) goes to the client, without the Node
 * backend's Connection and Keep-Alive, which make KrakenD reset the stream over h2c.
 */
const noop = (path: string, martian: unknown, url_pattern = '/echo', more: Record<string, unknown> = {}) => ({
  endpoint: path,
  output_encoding: 'no-op',
  ...more,
  backend: [
    {
      url_pattern,
      encoding: 'no-op',
      extra_config: {
        'modifier/martian': {
          'fifo.Group': {
            modifiers: [
              martian,
              { 'header.Blacklist': { scope: ['response'], names: ['Connection', 'Keep-Alive'] } },
            ],
          },
        },
      },
    },
  ],
})

export const config = {
  version: 3,
  name: 'martian-gaps',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { return_error_msg: true } },
  endpoints: [
    endpoint('/id', id({}, 'X-Krakend-Id'), { input_headers: ['X-Krakend-Id'] }),
    endpoint('/id-named', id({ header: 'X-Request-Id' }, 'X-Request-Id'), {
      input_headers: ['X-Request-Id'],
    }),
    endpoint('/id-empty-name', id({ header: '', scope: R }, 'X-Krakend-Id')),
    endpoint('/id-null-name', id({ header: null }, 'X-Krakend-Id')),
    endpoint('/id-field-case', id({ HEADER: 'x-corr' }, 'X-Corr')),
    // Only on the request: a group's response scope leaves it out.
    endpoint('/id-answer-group', { 'fifo.Group': { scope: ['response'], modifiers: [{ 'header.Id': {} }] } }),
    // Before a copy: the copy gets the ID (the original then goes by its shape).
    endpoint('/id-copied', {
      'fifo.Group': {
        modifiers: [
          { 'header.Id': { header: 'X-Trace' } },
          { 'header.Copy': { from: 'X-Trace', to: 'X-Trace-Copy' } },
          id({ header: 'X-Trace-Copy' }, 'X-Trace-Copy'),
          id({ header: 'X-Trace' }, 'X-Trace'),
        ],
      },
    }),
    // After a header.Modifier that set the header: the ID is not written.
    endpoint('/id-after-set', {
      'fifo.Group': { modifiers: [set('X-Krakend-Id', 'fixed'), { 'header.Id': {} }] },
    }),
    endpoint(
      '/verifier',
      { 'header.Verifier': { name: 'X-Need', value: 'yes' } },
      { input_headers: ['X-Need'] },
    ),
    noop('/verifier-answer', {
      'fifo.Group': {
        modifiers: [
          { 'header.Verifier': { scope: ['response'], name: 'X-Echo', value: 'no' } },
          { 'header.Verifier': { name: 'X-Missing' } },
          set('X-After', '1'),
        ],
      },
    }),
    endpoint('/port', { 'port.Filter': { port: PORT, modifier: set('X-Port', 'match') } }),
    endpoint('/port-other', { 'port.Filter': { port: 80, modifier: set('X-Port', 'match') } }),
    endpoint('/port-request', { 'port.Filter': { scope: R, port: PORT, modifier: set('X-Port', 'match') } }),
    noop('/port-answer', {
      'port.Filter': { scope: ['response'], port: PORT, modifier: set('X-Port-Answer', 'match') },
    }),
    noop('/port-both', { 'port.Filter': { port: PORT, modifier: set('X-Port-Both', 'match') } }),
    noop('/port-answer-other', {
      'port.Filter': { port: PORT + 1, modifier: { 'status.Modifier': { statusCode: 202 } } },
    }),
    noop('/port-status', {
      'port.Filter': { port: PORT, modifier: { 'status.Modifier': { statusCode: 202 } } },
    }),
    noop(
      '/port-nested',
      {
        'fifo.Group': {
          modifiers: [
            {
              'port.Filter': {
                port: PORT,
                modifier: {
                  'header.Filter': {
                    name: 'X-Mode',
                    value: 'a',
                    modifier: set('X-Mode-A', 'yes'),
                    else: set('X-Mode-A', 'no'),
                  },
                },
              },
            },
          ],
        },
      },
      '/echo',
      { input_headers: ['X-Mode'] },
    ),
    // After url.Modifier / port.Modifier moved the call: the filter reads the URL's new host.
    endpoint('/port-after-url', {
      'fifo.Group': {
        modifiers: [
          { 'url.Modifier': { host: `localhost:${PORT}` } },
          { 'port.Filter': { port: PORT, modifier: set('X-Port', 'after-url') } },
        ],
      },
    }),
    noop('/port-after-url-answer', {
      'fifo.Group': {
        modifiers: [
          { 'url.Modifier': { scope: R, host: `localhost:${PORT}` } },
          { 'port.Filter': { port: PORT, modifier: set('X-Port', 'after-url') } },
          { 'port.Filter': { port: 80, modifier: set('X-Port-80', 'yes') } },
        ],
      },
    }),
    // header.Id in a filter's else and in a priority.Group, and one per backend of a merged endpoint.
    endpoint(
      '/id-nested',
      {
        'header.Filter': {
          name: 'X-Mode',
          value: 'keep',
          modifier: set('X-Kept', 'yes'),
          else: {
            'priority.Group': {
              modifiers: [
                { priority: 1, modifier: id({ header: 'X-Low' }, 'X-Low') },
                { priority: 5, modifier: { 'header.Id': { header: 'X-High' } } },
                { priority: 2, modifier: { 'header.Copy': { from: 'X-High', to: 'X-Low' } } },
              ],
            },
          },
        },
      },
      { input_headers: ['X-Mode'] },
    ),
    {
      endpoint: '/id-merged',
      backend: [
        { ...backend({ 'header.Id': {} }), group: 'one' },
        { ...backend({ 'header.Id': { header: 'X-Other' } }), group: 'two' },
      ],
    },
    // The answer side reads the last hop's URL: localhost on the same port.
    noop(
      '/port-redirect',
      { 'port.Filter': { port: PORT, modifier: set('X-Port-Hop', 'match') } },
      scripted(302, { Location: `http://localhost:${PORT}/echo/hop` }),
    ),
    noop('/port-field-case', { 'port.Filter': { Port: PORT, Modifier: set('X-Port', 'case') } }),
    // Go's URL.Host "[::1]" has a colon but no port: SplitHostPort fails, the call is not sent.
    {
      endpoint: '/port-ipv6',
      backend: [
        {
          host: ['http://[::1]'],
          disable_host_sanitize: true,
          ...backend({ 'port.Filter': { port: 80, modifier: set('X-Port', 'match') } }),
        },
      ],
    },
  ],
}
