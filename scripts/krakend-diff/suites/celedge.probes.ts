// The probes of celedge.config.ts: an expression and the requests it gets (GET /x<i>/<id><query>).
export interface Probe {
  expr: string
  requests?: Array<{ id?: string; query?: string; headers?: Array<[string, string]> }>
  /** The backend's answer (status, headers, body) for resp_ checks. */
  answer?: [number, Record<string, string | string[]>, (string | Buffer)?]
  noop?: boolean
  /** No input_headers nor input_query_strings on the endpoint (lura's defaults). */
  bare?: boolean
  /** The backend's `encoding` (with an answer). */
  encoding?: string
}
const JSON_TYPE = { 'Content-Type': 'application/json' }
const bytes = (hex: string) => Buffer.from(hex, 'hex')

/** UTF-8 bytes of a text as the latin1 string node:http writes byte for byte. */
const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1')
const R = "req_method != '' && "
const EMOJI = utf8('\u{1F600}')
const HIGH = utf8('\uFF61')

export const PROBES: Probe[] = [
  // String order: Go compares UTF-8 bytes, JavaScript UTF-16 code units.
  { expr: `${R}'\\ufffd' < '\\U0001F600'` },
  { expr: `${R}'\\U0001F600' < '\\uff61'` },
  { expr: `${R}'\\U0001F600' > '\\uffff'` },
  { expr: `${R}'a\\U0001F600' >= 'a\\ue000'` },
  {
    expr: "req_headers['X-A'][0] < '\\uffff'",
    requests: [{ headers: [['X-A', EMOJI]] }, { headers: [['X-A', HIGH]] }, { headers: [['X-A', 'z']] }],
  },
  {
    expr: "req_headers['X-A'][0] > req_headers['X-B'][0]",
    requests: [
      {
        headers: [
          ['X-A', EMOJI],
          ['X-B', HIGH],
        ],
      },
      {
        headers: [
          ['X-A', HIGH],
          ['X-B', EMOJI],
        ],
      },
    ],
  },
  { expr: `${R}size('\\U0001F600') == 1` },
  { expr: `${R}'\\U0001F600'.matches('^.$')` },
  { expr: `${R}'\\U0001F600x'.matches('^\\\\C')` },
  { expr: `${R}['\\uffff', '\\U00010000'].exists(x, x < '\\ue000')` },
  // Headers, queries and paths that are not UTF-8.
  {
    expr: "req_headers['X-A'][0] == '\\ufffd'",
    requests: [{ headers: [['X-A', '\xff']] }, { headers: [['X-A', '\xef\xbf\xbd']] }],
  },
  {
    expr: "req_headers['X-A'][0] != req_headers['X-B'][0]",
    requests: [
      {
        headers: [
          ['X-A', '\xff'],
          ['X-B', '\xfe'],
        ],
      },
    ],
  },
  {
    expr: "size(req_headers['X-A'][0]) == 2",
    requests: [
      { headers: [['X-A', '\xe6\x97']] },
      { headers: [['X-A', '\xff\xfe']] },
      { headers: [['X-A', 'ab']] },
    ],
  },
  {
    expr: "req_headers['X-A'][0].matches('^.$')",
    requests: [{ headers: [['X-A', '\xe6\x97']] }, { headers: [['X-A', '\xff']] }],
  },
  {
    expr: "req_querystring['q'][0] == '\\u00ff'",
    requests: [{ query: '?q=%ff' }, { query: '?q=%C3%BF' }],
  },
  {
    expr: "size(req_querystring['q'][0]) == 1",
    requests: [{ query: '?q=%ff' }, { query: '?q=%e6%97' }, { query: '?q=%F0%9F%98%80' }],
  },
  {
    expr: "req_querystring['q'][0] < '\\uffff'",
    requests: [{ query: '?q=%F0%9F%98%80' }, { query: '?q=%EF%BD%A1' }],
  },
  {
    expr: "req_params.Id == '\\ufffd'",
    requests: [{ id: '%ff' }, { id: '%EF%BF%BD' }],
  },
  {
    expr: 'size(req_params.Id) == 2',
    requests: [{ id: '%e6%97' }, { id: '%ff%fe' }, { id: 'ab' }],
  },
  {
    expr: "req_path.endsWith('\\ufffd')",
    requests: [{ id: '%ff' }, { id: '%EF%BF%BD' }],
  },
  {
    expr: 'size(req_path) == 6',
    requests: [{ id: '%e6%97' }, { id: '%ff%fe' }, { id: 'ab' }],
  },
  // Numbers from text: Go's strconv.
  { expr: `${R}double('0x1p-2') == 0.25` },
  { expr: `${R}double('1_0') == 10.0` },
  { expr: `${R}double(' 1') == 1.0` },
  { expr: `${R}double('1 ') == 1.0` },
  { expr: `${R}double('+Inf') > 0.0` },
  { expr: `${R}double('infinity') > 0.0` },
  { expr: `${R}double('INF') > 0.0` },
  { expr: `${R}double('nan') != double('nan')` },
  { expr: `${R}double('1e400') > 0.0` },
  { expr: `${R}double('0x10') == 16.0` },
  { expr: `${R}double('.e1') == 0.0` },
  { expr: `${R}double('1.') == 1.0` },
  { expr: `${R}int('+1') == 1` },
  { expr: `${R}int('0x10') == 16` },
  { expr: `${R}int('010') == 10` },
  { expr: `${R}int('1_0') == 10` },
  { expr: `${R}int('-0') == 0` },
  { expr: `${R}uint('+1') == 1u` },
  { expr: `${R}uint('-0') == 0u` },
  { expr: `${R}uint(-0.5) == 0u` },
  { expr: `${R}uint(18446744073709551615.0) > 0u` },
  { expr: `${R}int(9223372036854775807.0) > 0` },
  { expr: `${R}int(-9223372036854775808.0) < 0` },
  { expr: `${R}int(-9223372036854775809.0) < 0` },
  { expr: `${R}int(1.9) == 1 && int(-1.9) == -1` },
  { expr: `${R}int(double('nan')) == 0` },
  { expr: `${R}-9223372036854775807 - 1 == -9223372036854775808` },
  { expr: `${R}(-9223372036854775807 - 1) % -1 == 0` },
  { expr: `${R}(-9223372036854775807 - 1) / -1 < 0` },
  { expr: `${R}5 % -3 == 2 && -5 % 3 == -2` },
  { expr: `${R}-5 / 3 == -1` },
  { expr: `${R}5.0 / -0.0 < 0.0` },
  { expr: `${R}double(9223372036854775807) == 9223372036854775808.0` },
  { expr: `${R}double(18446744073709551615u) == 18446744073709551616.0` },
  // Text forms.
  { expr: `${R}string(0.000001) == '1e-06'` },
  { expr: `${R}string(123456789.0) == '1.23456789e+08'` },
  { expr: `${R}string(-0.0) == '-0'` },
  { expr: `${R}string(1e21) == '1e+21'` },
  { expr: `${R}string(100000.0) == '100000'` },
  { expr: `${R}string(1.5e-7) == '1.5e-07'` },
  { expr: `${R}string(double('nan')) == 'NaN'` },
  { expr: `${R}string(1.0/0.0) == '+Inf'` },
  { expr: `${R}string(duration('1h')) == '3600s'` },
  { expr: `${R}string(duration('1.5s')) == '1.5s'` },
  { expr: `${R}string(duration('-1ms')) == '-0.001s'` },
  { expr: `${R}string(duration('1ns')) == '0.000000001s'` },
  { expr: `${R}string(timestamp('2024-01-01T00:00:00.5Z')) == '2024-01-01T00:00:00.5Z'` },
  { expr: `${R}string(timestamp('2024-01-01T02:00:00+02:00')) == '2024-01-01T00:00:00Z'` },
  { expr: `${R}string(b'\\xc3\\xa9') == 'é'` },
  { expr: `${R}string(18446744073709551615u) == '18446744073709551615'` },
  { expr: `${R}string(true) == 'true'` },
  // Times and durations: Go's time.Parse(RFC3339) and time.ParseDuration.
  { expr: `${R}timestamp('2024-01-01T00:00:00,5Z') > timestamp(0)` },
  { expr: `${R}timestamp('2024-01-01t00:00:00z') > timestamp(0)` },
  { expr: `${R}timestamp('2024-01-01T00:00:00.1234567891Z') > timestamp(0)` },
  { expr: `${R}timestamp('2024-01-01T24:00:00Z') > timestamp(0)` },
  { expr: `${R}timestamp('2024-02-30T00:00:00Z') > timestamp(0)` },
  { expr: `${R}timestamp('2024-01-01T00:00:00+23:59') > timestamp(0)` },
  { expr: `${R}timestamp('2024-01-01T00:00:00+24:00') > timestamp(0)` },
  { expr: `${R}timestamp('2024-01-01T00:00:60Z') > timestamp(0)` },
  { expr: `${R}timestamp('2024-1-01T00:00:00Z') > timestamp(0)` },
  { expr: `${R}timestamp('2024-01-01T00:00:00-00:00') > timestamp(0)` },
  { expr: `${R}timestamp('2024-01-01 00:00:00Z') > timestamp(0)` },
  { expr: `${R}timestamp('+2024-01-01T00:00:00Z') > timestamp(0)` },
  { expr: `${R}timestamp(253402300800) > timestamp(0)` },
  { expr: `${R}timestamp(-62135596801) < timestamp(0)` },
  { expr: `${R}timestamp(0) + duration('87600000h') > timestamp(0)` },
  { expr: `${R}duration('1μs') == duration('1us')` },
  { expr: `${R}duration('1µs') == duration('1000ns')` },
  { expr: `${R}duration('1h1h') == duration('2h')` },
  { expr: `${R}duration('-0') == duration('0s')` },
  { expr: `${R}duration('+.5h') == duration('30m')` },
  { expr: `${R}duration('1e3s') > duration('0')` },
  { expr: `${R}duration('1') > duration('0')` },
  { expr: `${R}duration('2562048h') > duration('0')` },
  { expr: `${R}duration('87600001h') > duration('0')` },
  { expr: `${R}duration('1.0000000001s') > duration('1s')` },
  { expr: `${R}duration('1H') > duration('0')` },
  { expr: `${R}timestamp('2024-03-10T12:00:00Z').getHours('America/New_York') == 8` },
  { expr: `${R}timestamp('2024-03-10T12:00:00Z').getHours('EST') == 7` },
  { expr: `${R}timestamp('2024-03-10T12:00:00Z').getHours('+5') == 17` },
  { expr: `${R}timestamp('2024-03-10T12:00:00Z').getHours('-00:30') == 11` },
  { expr: `${R}timestamp('2024-03-10T12:00:00Z').getHours('america/new_york') == 8` },
  { expr: `${R}timestamp('2024-03-10T12:00:00Z').getDayOfWeek() == 0` },
  { expr: `${R}timestamp('2024-03-10T12:00:00Z').getMonth() == 2` },
  { expr: `${R}timestamp(now) <= timestamp(now) + duration('1s')` },
  { expr: `${R}now.matches('^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\\\.[0-9]{1,3})?Z$')` },
  // Equality and lookups across numeric types.
  { expr: `${R}dyn({1: 'a'})[1.0] == 'a'` },
  { expr: `${R}dyn({1: 'a'})[1u] == 'a'` },
  { expr: `${R}dyn({1u: 'a'})[1] == 'a'` },
  { expr: `${R}dyn({1: 'a'})[1.5] == 'a'` },
  { expr: `${R}dyn(1.0) in {1: 'a'}` },
  { expr: `${R}dyn(1) in [1.0]` },
  { expr: `${R}dyn([1]) == [1.0]` },
  { expr: `${R}dyn({'a': 1}) == {'a': 1u}` },
  { expr: `${R}dyn(1) < 1.5` },
  { expr: `${R}dyn(1u) < -1` },
  { expr: `${R}dyn(2) == 2.0000000000000001` },
  { expr: `${R}dyn(9007199254740993) == 9007199254740992.0` },
  { expr: `${R}dyn(9007199254740993) > 9007199254740992.0` },
  { expr: `${R}dyn(18446744073709551615u) == 18446744073709551616.0` },
  { expr: `${R}double('nan') in [double('nan')]` },
  { expr: `${R}[double('nan')] == [double('nan')]` },
  { expr: `${R}{'a': 1, 'a': 2}.a == 2` },
  { expr: `${R}{1: 1, 1u: 2}.size() == 2` },
  { expr: `${R}{1: 1, 1.0: 2}.size() == 2` },
  { expr: `${R}[1, 2, 3].exists_one(x, x > 1)` },
  { expr: `${R}b'\\xff' > b'a'` },
  { expr: `${R}b'\\xff' > b'\\xfe\\xff'` },
  { expr: `${R}size(b'\\xff\\xfe') == 2` },
  { expr: `${R}bool('TRUE') && bool('t') && bool('1') && bool('True')` },
  { expr: `${R}bool('tRue')` },
  { expr: `${R}bool('T')` },
  { expr: `${R}!bool('F')` },
  { expr: `${R}!bool('0')` },
  { expr: `${R}'abc'.contains('') && ''.matches('')` },
  { expr: `${R}'ab'.matches('a')` },
  { expr: `${R}'A'.matches('(?i)a')` },
  { expr: `${R}'\\u212a'.matches('(?i)k')` },
  { expr: `${R}'ſ'.matches('(?i)s')` },
  { expr: `${R}'a\\nb'.matches('^b$')` },
  { expr: `${R}'a\\nb'.matches('(?m)^b$')` },
  { expr: `${R}'\\u00e9'.matches('\\\\w')` },
  { expr: `${R}'\\u00e9'.matches('[[:alpha:]]')` },
  { expr: `${R}'\\u00e9'.matches('\\\\pL')` },
  { expr: `${R}'\\u0660'.matches('\\\\d')` },
  { expr: `${R}'\\u00a0'.matches('\\\\s')` },
  { expr: `${R}'\\v'.matches('\\\\s')` },
  { expr: `${R}'a'.matches('\\\\Qa\\\\E')` },
  { expr: `${R}'ab'.matches('a{,2}b')` },
  { expr: `${R}'a{,2}b'.matches('a{,2}b')` },
  { expr: `${R}'\\U0001F600'.matches('[\\\\x{1F600}-\\\\x{1F64F}]')` },
  { expr: `${R}'aaa'.matches('^a{1,1000}$')` },
  { expr: `${R}'x'.matches('\\\\z') == false` },
  { expr: `${R}'ab'.matches('(?U)a+?')` },
  { expr: `${R}'\\u0131'.matches('(?i)I')` },
  { expr: `${R}'\\u01c5'.matches('(?i)\\u01c6')` },
  // Backend answers: header bytes that are UTF-8 or not, JSON strings holding bytes that are not UTF-8.
  {
    expr: "resp_metadata_headers['X-Be'][0] == '\u00e9'",
    answer: [200, { ...JSON_TYPE, 'X-Be': utf8('é') }, '{}'],
    noop: true,
  },
  {
    expr: "resp_metadata_headers['X-Be'][0] == '\u00e9'",
    answer: [200, { ...JSON_TYPE, 'X-Be': 'é' }, '{}'],
    noop: true,
  },
  {
    expr: "resp_metadata_headers['X-Be'][0] == '\ufffd'",
    answer: [200, { ...JSON_TYPE, 'X-Be': '\xff' }, '{}'],
    noop: true,
  },
  {
    expr: "size(resp_metadata_headers['X-Be'][0]) == 2",
    answer: [200, { ...JSON_TYPE, 'X-Be': '\xe6\x97' }, '{}'],
    noop: true,
  },
  {
    expr: "resp_metadata_headers['X-Be'][0] < '\\uffff'",
    answer: [200, { ...JSON_TYPE, 'X-Be': EMOJI }, '{}'],
    noop: true,
  },
  {
    expr: "resp_metadata_headers['X-Be'] == ['a', 'b']",
    answer: [200, { ...JSON_TYPE, 'X-Be': ['a', 'b'] }, '{}'],
    noop: true,
  },
  {
    expr: "resp_metadata_headers['X-Be'] == ['a, b']",
    answer: [200, { ...JSON_TYPE, 'X-Be': ['a, b'] }, '{}'],
    noop: true,
  },
  {
    expr: "resp_metadata_headers['X-Be'][0] == ''",
    answer: [200, { ...JSON_TYPE, 'X-Be': '' }, '{}'],
    noop: true,
  },
  { expr: "'X-Be' in resp_metadata_headers", answer: [200, { ...JSON_TYPE, 'x-be': 'a' }, '{}'], noop: true },
  { expr: "'Content-Length' in resp_metadata_headers", answer: [200, JSON_TYPE, '{}'] },
  { expr: "'Content-Length' in resp_metadata_headers", answer: [200, JSON_TYPE, '{}'], noop: true },
  {
    expr: 'size(resp_data.a) == 2',
    answer: [200, JSON_TYPE, Buffer.concat([Buffer.from('{"a":"'), bytes('e697'), Buffer.from('"}')])],
  },
  {
    expr: 'size(resp_data.a) == 1',
    answer: [200, JSON_TYPE, Buffer.concat([Buffer.from('{"a":"'), bytes('ff'), Buffer.from('"}')])],
  },
  {
    expr: "resp_data.a == '\ufffd'",
    answer: [200, JSON_TYPE, Buffer.concat([Buffer.from('{"a":"'), bytes('ff'), Buffer.from('"}')])],
  },
  { expr: "resp_data.a == '\ufffd'", answer: [200, JSON_TYPE, '{"a":"\\ud800"}'] },
  { expr: 'size(resp_data.a) == 1', answer: [200, JSON_TYPE, '{"a":"\\ud83d\\ude00"}'] },
  { expr: "resp_data.a < '\\uffff'", answer: [200, JSON_TYPE, '{"a":"\\ud83d\\ude00"}'] },
  {
    expr: 'size(resp_data.a) == 3',
    answer: [200, JSON_TYPE, Buffer.concat([Buffer.from('{"a":"'), bytes('eda080'), Buffer.from('"}')])],
  },
  { expr: 'resp_metadata_status == 200', answer: [201, JSON_TYPE, '{}'] },
  { expr: 'resp_metadata_status == 0', answer: [201, JSON_TYPE, '{}'] },
  { expr: 'resp_metadata_status == 201', answer: [201, JSON_TYPE, '{}'], noop: true },
  { expr: "bytes(req_headers['X-A'][0]) == b'\\xff'", requests: [{ headers: [['X-A', '\xff']] }] },
  {
    expr: "req_headers['X-A'][0] + req_headers['X-B'][0] == '\\u65e5'",
    requests: [
      {
        headers: [
          ['X-A', '\xe6'],
          ['X-B', '\x97\xa5'],
        ],
      },
    ],
  },
  { expr: "'\\u65e5'.startsWith(req_headers['X-A'][0])", requests: [{ headers: [['X-A', '\xe6']] }] },
  {
    expr: "req_headers['X-B'][0].contains(req_headers['X-A'][0])",
    requests: [
      {
        headers: [
          ['X-A', '\xe6'],
          ['X-B', utf8('\u65e5')],
        ],
      },
    ],
  },
  {
    expr: "req_headers['X-A'][0].matches(req_headers['X-B'][0])",
    requests: [
      {
        headers: [
          ['X-A', 'a'],
          ['X-B', '\xff'],
        ],
      },
    ],
  },
  { expr: "req_headers['X-A'][0].matches('^\\\\x{fffd}$')", requests: [{ headers: [['X-A', '\xff']] }] },
  // lura's request without input_headers / input_query_strings.
  ...[
    "'User-Agent' in req_headers",
    "'X-Forwarded-For' in req_headers",
    "'X-Forwarded-Host' in req_headers",
    "'Host' in req_headers",
    "'Content-Type' in req_headers",
    "'Accept-Encoding' in req_headers",
    "'X-A' in req_headers",
    'size(req_headers) == 0',
    "req_headers['User-Agent'][0] == 'UA'",
    "'q' in req_querystring",
    'size(req_querystring) == 0',
  ].map(
    (expr): Probe => ({
      expr,
      bare: true,
      requests: [
        {
          query: '?q=1',
          headers: [
            ['X-A', '1'],
            ['User-Agent', 'UA'],
            ['Content-Type', 'application/json'],
          ],
        },
      ],
    }),
  ),
  // Backend encodings other than JSON: what resp_data holds.
  ...(
    [
      ['string', '{"a":1}', 'resp_data.content == \'{"a":1}\''],
      ['string', 'x', 'type(resp_data.content) == string && size(resp_data) == 1'],
      ['xml', '<a><b>1</b><c k="v">t</c></a>', "resp_data.a.b == '1'"],
      ['xml', '<a><b>1</b><c k="v">t</c></a>', 'resp_data.a.b == 1.0'],
      ['xml', '<a><b>1</b><c k="v">t</c></a>', "resp_data.a.c['-k'] == 'v'"],
      ['xml', '<a><b>1</b><c k="v">t</c></a>', "resp_data.a.c['#text'] == 't'"],
      ['xml', '<a><b>true</b></a>', 'resp_data.a.b == true'],
      ['xml', '<a><b>1</b><b>2</b></a>', "resp_data.a.b == ['1', '2']"],
      ['safejson', '[1,{"a":2}]', 'resp_data.collection[0] == 1.0'],
      ['safejson', '[1,{"a":2}]', "resp_data.collection[0] == '1'"],
      ['safejson', '"s"', "resp_data.content == 's'"],
      ['safejson', '12', "resp_data.content == '12'"],
      ['safejson', 'true', 'resp_data.content == true'],
      ['json', '{"n":1.50}', "resp_data.n == '1.50'"],
      ['json', '{"n":1e2}', "resp_data.n == '1e2'"],
      ['json', '{"n":-0}', "resp_data.n == '-0'"],
    ] as const
  ).map(([encoding, body, expr]): Probe => ({ expr, encoding, answer: [200, JSON_TYPE, body] })),
]
