// The package library and the 5.3 names as gopher-lua (KrakenD's Lua 5.1) has them. fengari's
// package searched JavaScript files too (package.jspath './?.js', package.loadlib): a script's
// require('x') or loadlib ran a .js file where KrakenD runs Lua files only (loadlib: 'loadlib is not
// supported'); package.path was Lua 5.3's, package.loaders and cpath were missing, and table.unpack,
// math.type, string.pack, rawlen, ... answered where KrakenD's script fails calling nil.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { describeLuaValues } from './lua-expressions.ts'

const dir = mkdtempSync(join(tmpdir(), 'lua-package-'))
const marker = join(dir, 'ran')
writeFileSync(join(dir, 'evil.js'), `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x')\n`)
writeFileSync(join(dir, 'good.lua'), "return { v = 'lua module' }\n")
delete process.env.LUA_PATH

const values: Array<[string, string]> = [
  [`(function() package.jspath = '${dir}/?.js' return pcall(require, 'evil') end)()`, 'false'],
  [
    `select(2, pcall(package.loadlib, '${dir}/evil.js', '*')):match('loadlib is not supported') ~= nil`,
    'true',
  ],
  ['package.path', './?.lua;/usr/local/share/lua/5.1/?.lua;/usr/local/share/lua/5.1/?/init.lua'],
  ["package.cpath == ''", 'true'],
  ['#package.loaders', '2'],
  ['package.searchers', 'nil'],
  ['package.jspath', 'nil'],
  ['package.searchpath', 'nil'],
  [`(function() package.path = '${dir}/?.lua' return require('good').v end)()`, 'lua module'],
  [
    "(function() package.preload.p = function(name) return { n = name } end return require('p').n end)()",
    'p',
  ],
  [
    "(function() table.remove(package.loaders, 1) package.preload.q = function() return 1 end return pcall(require, 'q') end)()",
    'false',
  ],
  ['table.unpack', 'nil'],
  ['table.pack', 'nil'],
  ['table.move', 'nil'],
  ['table.setn', 'nil'],
  ['math.type', 'nil'],
  ['math.tointeger', 'nil'],
  ['math.maxinteger', 'nil'],
  ['string.pack', 'nil'],
  ['rawlen', 'nil'],
  ['coroutine.isyieldable', 'nil'],
  ['unpack({1, 2})', '1'],
  ['table.getn({1, 2})', '2'],
]

before(() => {
  if (existsSync(marker)) rmSync(marker)
})
after(() => rmSync(dir, { recursive: true, force: true }))

describeLuaValues(
  'Lua package library as gopher-lua',
  'package, require and the 5.1 names answer as in KrakenD',
  values,
  {
    tests: () => {
      test('no JavaScript file was run', () => {
        assert.equal(existsSync(marker), false)
      })
    },
  },
)
