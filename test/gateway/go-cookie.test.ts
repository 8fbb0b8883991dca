// Go's cookie text as net/http (Go 1.25/1.26) writes it: each row is the cookie's fields, its
// Cookie.String() and the Cookie header Request.AddCookie leaves after `a=1`.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cookiePair, type GoCookie, setCookieLine } from '../../src/gateway/go-cookie.ts'

type Fields = {
  Name: string
  Value: string
  Path?: string
  Domain?: string
  Expires?: string
  MaxAge?: number
  Secure?: boolean
  HTTPOnly?: boolean
}

const GO: Array<[Fields, string, string]> = [
  [{ Name: 'a', Value: 'plain' }, 'a=plain', 'a=1; a=plain'],
  [{ Name: 'a', Value: 'with space' }, 'a="with space"', 'a=1; a="with space"'],
  [{ Name: 'a', Value: 'comma,here' }, 'a="comma,here"', 'a=1; a="comma,here"'],
  [{ Name: 'a', Value: 'q"uote;semi\\back' }, 'a=quotesemiback', 'a=1; a=quotesemiback'],
  [{ Name: 'a', Value: 'caf\u00e9' }, 'a=caf', 'a=1; a=caf'],
  [{ Name: 'a', Value: '' }, 'a=', 'a=1; a='],
  [{ Name: 'a', Value: 'x', Path: '/p;q \u00e9' }, 'a=x; Path=/pq ', 'a=1; a=x'],
  [{ Name: 'a', Value: 'x', Domain: '.example.com' }, 'a=x; Domain=example.com', 'a=1; a=x'],
  [{ Name: 'a', Value: 'x', Domain: 'example.com.' }, 'a=x; Domain=example.com.', 'a=1; a=x'],
  [{ Name: 'a', Value: 'x', Domain: '-bad.com' }, 'a=x', 'a=1; a=x'],
  [{ Name: 'a', Value: 'x', Domain: 'a..b' }, 'a=x', 'a=1; a=x'],
  [{ Name: 'a', Value: 'x', Domain: '127.0.0.1' }, 'a=x; Domain=127.0.0.1', 'a=1; a=x'],
  [{ Name: 'a', Value: 'x', Domain: '::1' }, 'a=x', 'a=1; a=x'],
  [{ Name: 'a', Value: 'x', Domain: '123.com' }, 'a=x; Domain=123.com', 'a=1; a=x'],
  [{ Name: 'a', Value: 'x', Domain: '123' }, 'a=x', 'a=1; a=x'],
  [{ Name: 'a', Value: 'x', Domain: 'a-.com' }, 'a=x', 'a=1; a=x'],
  [
    { Name: 'a', Value: 'x', Domain: 'xn--bcher-kva.example' },
    'a=x; Domain=xn--bcher-kva.example',
    'a=1; a=x',
  ],
  [{ Name: 'a', Value: 'x', Domain: 'ex_ample.com' }, 'a=x', 'a=1; a=x'],
  [{ Name: 'a', Value: 'x', Expires: '1600-12-31T23:59:59Z' }, 'a=x', 'a=1; a=x'],
  [
    { Name: 'a', Value: 'x', Expires: '1601-01-01T00:00:00Z' },
    'a=x; Expires=Mon, 01 Jan 1601 00:00:00 GMT',
    'a=1; a=x',
  ],
  [
    { Name: 'a', Value: 'x', Expires: '2030-06-07T08:09:10+02:00' },
    'a=x; Expires=Fri, 07 Jun 2030 06:09:10 GMT',
    'a=1; a=x',
  ],
  [{ Name: 'a', Value: 'x', MaxAge: -5 }, 'a=x; Max-Age=0', 'a=1; a=x'],
  [{ Name: 'a', Value: 'x', MaxAge: 0 }, 'a=x', 'a=1; a=x'],
  [
    { Name: 'a', Value: 'x', MaxAge: 3600, Secure: true, HTTPOnly: true },
    'a=x; Max-Age=3600; HttpOnly; Secure',
    'a=1; a=x',
  ],
]

test("Set-Cookie lines and Cookie pairs are Go's, byte for byte", () => {
  for (const [c, setCookie, cookieHeader] of GO) {
    const cookie: GoCookie = {
      name: c.Name,
      value: c.Value,
      path: c.Path ?? '',
      domain: c.Domain ?? '',
      expiresMs: c.Expires === undefined ? undefined : Date.parse(c.Expires),
      secure: c.Secure ?? false,
      httpOnly: c.HTTPOnly ?? false,
      maxAge: c.MaxAge ?? 0,
    }
    assert.equal(setCookieLine(cookie), setCookie, JSON.stringify(c))
    assert.equal(`a=1; ${cookiePair(cookie)}`, cookieHeader, JSON.stringify(c))
  }
})
