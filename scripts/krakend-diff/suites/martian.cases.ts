import type { Case } from '../run.ts'

export const cases: Case[] = [
  { path: '/m1' },
  { path: '/m2' },
  { path: '/m3' },
  { path: '/m5' },
  { path: '/hc' },
  {
    path: '/m2',
    headers: [
      ['X-Rm', '1'],
      ['X-Keep', '2'],
    ],
  },
  { path: '/m3?a=mine&b=2' },
  { path: '/hc' },
  { path: '/hc' },
  { method: 'POST', path: '/b1', body: '12345', headers: [['Content-Type', 'text/plain']] },
  { method: 'POST', path: '/b1', body: '', headers: [['Content-Type', 'text/plain']] },
  { method: 'POST', path: '/b1', body: 'chunky', headers: [['Transfer-Encoding', 'chunked']] },
  { method: 'PUT', path: '/b2', body: 'abc' },
  { method: 'DELETE', path: '/b3', body: 'abc' },
  { method: 'DELETE', path: '/b3' },
  { path: '/m-answer' },
  { path: '/m-details' },
  { path: '/m-code' },
  { path: '/m-gz' },
  { path: '/m-gz', headers: [['Accept-Encoding', 'gzip']] },
  { path: '/f-header', headers: [['X-Tenant', 'acme']] },
  {
    path: '/f-header',
    headers: [
      ['X-Tenant', 'other'],
      ['Cookie', 'a=1'],
    ],
  },
  { path: '/f-header' },
  { path: '/f-query?legacy=x' },
  { path: '/f-query?legacy' },
  { path: '/f-query?other=1' },
  { path: '/f-answer' },
  { path: '/f-cookie' },
  {
    path: '/f-cookie',
    headers: [
      ['Cookie', 'a=1'],
      ['Cookie', 'b=2'],
    ],
  },
  { path: '/f-regex', headers: [['X-Client', 'mobile-ios']] },
  { path: '/f-regex', headers: [['X-Client', 'mobile-web']] },
  {
    path: '/f-regex',
    headers: [
      ['X-Client', ''],
      ['X-Client', 'mobile-ios'],
    ],
  },
  { path: '/f-regex' },
]
