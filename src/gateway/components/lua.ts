/**
 * modifier/lua-endpoint (krakend-lua's router package, `pre` only), modifier/lua-proxy and
 * modifier/lua-backend (its proxy package): Lua `pre` code runs
 * on the request before the next stage, `post` code on its response; `skip_next` answers with an
 * empty response instead of calling the next stage. Sources are read at start (or on every call
 * with `live`) relative to the working directory, like KrakenD; a script error fails the call.
 */
import { readFileSync } from 'node:fs'
import type { Cancellation } from '../cancellation.ts'
import { cryptoModule } from '../libraries.ts'
import type { LuaHttpClient } from '../lua-http-client.ts'
import type { Fields } from './fields.ts'
import {
  type Current,
  type LuaApi,
  type LuaRequest,
  type LuaResponse,
  type LuaRouterRequest,
  registerApi,
} from './lua-api.ts'
import { type Chunk, createLuaEngine, type LuaEngine } from './lua-engine.ts'
import { type LuaError, type SourceMap, sourceEntry } from './lua-errors.ts'

export interface LuaConfig {
  sources: string[]
  pre: string
  post: string
  skipNext: boolean
  allowOpenLibs: boolean
  live: boolean
  md5: Record<string, unknown> | undefined
}

export function parseLua(f: Fields): LuaConfig {
  const config: LuaConfig = {
    sources: f.strings('sources') ?? [],
    pre: f.string('pre') ?? '',
    post: f.string('post') ?? '',
    skipNext: f.bool('skip_next'),
    allowOpenLibs: f.bool('allow_open_libs'),
    live: f.bool('live'),
    md5: checksumsAt(f),
  }
  return config
}

/**
 * `md5` as krakend-lua reads it: a map of source to hex MD5, checked at start unless `live` (it
 * returns before the check). A checksum that is no string or does not match its source makes
 * KrakenD leave the whole modifier out (logged), and an `md5` that is not a map is not checked at
 * all: both refused here, since the scripts would not run (or run unchecked) while the config says
 * they do. A source unreadable here is left to the release's file checks and the start.
 */
function checksumsAt(f: Fields): Record<string, unknown> | undefined {
  const raw = f.raw.md5
  if (raw === undefined) return undefined
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    f.report.error(
      f.at('md5'),
      `"md5" must map each source file to its MD5 (hex), got ${JSON.stringify(raw)}: KrakenD checks nothing then`,
      'write it like {"script.lua": "<md5 of the file>"}, or remove it',
    )
    return undefined
  }
  const md5 = raw as Record<string, unknown>
  if (f.raw.live === true) {
    f.report.warn(
      f.at('md5'),
      'with "live": true KrakenD reads the sources on every call and checks no "md5" (neither does this runtime)',
      'remove "md5", or "live"',
    )
    return md5
  }
  for (const [source, expected] of Object.entries(md5)) {
    if (typeof expected !== 'string') {
      f.report.error(
        [...f.at('md5'), source],
        `the checksum of "${source}" must be a string, got ${JSON.stringify(expected)}: KrakenD would leave this Lua modifier out, so its scripts would not run`,
        'write the MD5 of the file in hex',
      )
      continue
    }
    const text = readSource(source)
    if (text === undefined) continue
    const actual = cryptoModule().createHash('md5').update(text).digest('hex')
    if (actual !== expected)
      f.report.error(
        [...f.at('md5'), source],
        `"${source}" does not match its md5 (the file's is ${actual}): KrakenD would leave this Lua modifier out, so its scripts would not run`,
        `write "${actual}" if the file is the one you meant to run`,
      )
  }
  return md5
}

/** Whether a script's text names http_response (its runs may then wait for HTTP calls). */
export const callsHttp = (text: string) => text.includes('http_response')

/** The code a config runs: its pre and post, and each source file's text (empty when unreadable). */
export function luaTexts(config: LuaConfig): Array<[where: string, text: string]> {
  const texts: Array<[string, string]> = [
    ['pre', config.pre],
    ['post', config.post],
  ]
  for (const path of config.sources) texts.push([path, readSource(path) ?? ''])
  return texts
}

function readSource(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** One call through a Lua modifier: pre has run; `post` runs on the response, `end` frees the call. */
export interface LuaCall {
  /** A promise where the modifier's runs may wait for HTTP calls (CompiledLua.suspends). */
  post(response: LuaResponse): LuaError | undefined | Promise<LuaError | undefined>
  end(): void
}

export type LuaStart = LuaCall | { error: LuaError }

export interface CompiledLua {
  skipNext: boolean
  /**
   * Whether the scripts call http_response: each call then runs in a Lua state of its own (taken
   * from a pool), as coroutines that wait for the answers, and begin and post answer promises.
   */
  suspends: boolean
  /**
   * Loads the sources and runs pre on `request` (changed in place): the call, or the error.
   * `cancel`: the request context the script's HTTP calls end with (lura's, with its deadline).
   */
  begin(request: LuaRequest | LuaRouterRequest, cancel?: Cancellation): LuaStart | Promise<LuaStart>
}

type Log = (message: string) => void

/** Idle Lua states a modifier whose scripts call http_response keeps for later calls. */
const IDLE_STATES = 16

/**
 * The modifier, or undefined where KrakenD leaves it out: an md5 that is no string or does not
 * match its source disables it (logged, as KrakenD logs it at debug level). `http`: the client
 * http_response calls with (without one a call fails).
 */
export function compileLua(
  config: LuaConfig,
  log: Log,
  api: LuaApi = 'proxy',
  http?: LuaHttpClient,
): CompiledLua | undefined {
  const files = config.live ? undefined : loadFiles(config.sources, log)
  // krakend-lua returns before the checksums with `live`: the scripts run unchecked.
  if (files && config.md5 && !checksumsMatch(config, files, log)) return undefined
  const current: Current = { request: undefined, response: undefined }
  const first = luaInstance(config.allowOpenLibs, current, api)
  const compiler = first.engine
  const code = (key: string, text: string, map: SourceMap) =>
    compiler.compile(text, [...map, sourceEntry(key, text)])
  const sourcesOf = (loaded: Map<string, string>) => compileSources(compiler, config.sources, loaded)
  const fixed = files ? sourcesOf(files) : undefined
  const fixedMap = fixed && !('error' in fixed) ? fixed.map : []
  const pre = config.pre === '' ? undefined : code('pre-script', config.pre, fixedMap)
  const post = config.post === '' ? undefined : code('post-script', config.post, fixedMap)
  const postOf = (map: SourceMap) =>
    fixed ? post : config.post === '' ? undefined : code('post-script', config.post, map)
  const suspends = http !== undefined && (config.live || luaTexts(config).some(([, text]) => callsHttp(text)))
  if (suspends) {
    const idle: LuaInstance[] = [first]
    return {
      skipNext: config.skipNext,
      suspends,
      begin(request, cancel) {
        const sources = fixed ?? sourcesOf(loadFiles(config.sources, log))
        if ('error' in sources) return { error: sources.error }
        let instance = idle.pop()
        while (instance && !instance.engine.intact()) instance = idle.pop()
        instance ??= luaInstance(config.allowOpenLibs, { request: undefined, response: undefined }, api)
        const own = instance
        own.current.http = { client: http, cancel }
        let ended = false
        const end = () => {
          if (ended) return
          ended = true
          own.current.http = undefined
          own.current.request = undefined
          own.current.response = undefined
          own.current.ctx = undefined
          const { lua, lauxlib } = own.engine.f
          lauxlib.luaL_unref(own.engine.L, lua.LUA_REGISTRYINDEX, env)
          if (own.engine.intact() && idle.length < IDLE_STATES) idle.push(own)
        }
        const env = openCall(own, request, api)
        const run = (chunk: Chunk | { error: LuaError } | undefined) =>
          chunk === undefined
            ? undefined
            : 'error' in chunk
              ? chunk.error
              : own.engine.runSuspending(chunk, env)
        const preChunk = fixed ? pre : code('pre-script', config.pre, sources.map)
        return (async (): Promise<LuaStart> => {
          const failed = (await run(sources.chunk)) ?? (await run(preChunk))
          if (failed) {
            end()
            return { error: failed }
          }
          return {
            end,
            post(response) {
              openPost(own, env, request, response)
              return run(postOf(sources.map))
            },
          }
        })()
      },
    }
  }
  let instance = first
  return {
    skipNext: config.skipNext,
    suspends,
    begin(request) {
      const sources = fixed ?? sourcesOf(loadFiles(config.sources, log))
      if ('error' in sources) return { error: sources.error }
      // A run made a change to what runs share that cannot be undone (debug.setupvalue): later
      // requests get a new state, as each of KrakenD's; the calls under way keep theirs.
      if (!instance.engine.intact()) instance = luaInstance(config.allowOpenLibs, current, api)
      const own = instance
      const { engine, released } = own
      const { lua, lauxlib } = engine.f
      const L = engine.L
      const env = openCall(own, request, api)
      const token = {}
      const end = () => {
        released.unregister(token)
        lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, env)
      }
      const failed =
        runIn(engine, env, sources.chunk) ??
        runIn(engine, env, fixed ? pre : code('pre-script', config.pre, sources.map))
      if (failed) {
        end()
        return { error: failed }
      }
      // A call the gateway answers without reaching post (a later check refused it) frees its globals when collected.
      const call: LuaCall = {
        end,
        post(response) {
          openPost(own, env, request, response)
          return runIn(engine, env, postOf(sources.map))
        },
      }
      released.register(call, env, token)
      return call
    },
  }
}

/** Sets what the API reads for the call's pre and makes its globals (a registry reference). */
function openCall(instance: LuaInstance, request: LuaRequest | LuaRouterRequest, api: LuaApi): number {
  const { engine, current } = instance
  const { lua, lauxlib } = engine.f
  const L = engine.L
  if (api === 'router') current.ctx = request as LuaRouterRequest
  else current.request = request as LuaRequest
  current.response = undefined
  engine.pushEnvironment()
  lua.lua_pushnil(L)
  lua.lua_setfield(L, -2, engine.s('response'))
  return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
}

/** Sets what the API reads for the call's post, `response` a global again. */
function openPost(instance: LuaInstance, env: number, request: unknown, response: LuaResponse): void {
  const { engine, current } = instance
  const { lua, lauxlib } = engine.f
  const L = engine.L
  current.request = request as LuaRequest
  current.response = response
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, env)
  lauxlib.luaL_getmetatable(L, engine.s('response'))
  lua.lua_setfield(L, -2, engine.s('response'))
  lua.lua_pop(L, 1)
}

interface LuaInstance {
  engine: LuaEngine
  current: Current
  released: FinalizationRegistry<number>
}

/** A Lua state with the API installed and sealed; `released` frees a dropped call's globals in it. */
function luaInstance(openLibs: boolean, current: Current, api: LuaApi): LuaInstance {
  const engine = createLuaEngine(openLibs)
  registerApi(engine, current, api)
  engine.seal()
  const { lua, lauxlib } = engine.f
  const released = new FinalizationRegistry<number>((env) =>
    lauxlib.luaL_unref(engine.L, lua.LUA_REGISTRYINDEX, env),
  )
  return { engine, current, released }
}

function runIn(
  engine: LuaEngine,
  env: number,
  chunk: Chunk | { error: LuaError } | undefined,
): LuaError | undefined {
  if (chunk === undefined) return undefined
  if ('error' in chunk) return chunk.error
  const { lua } = engine.f
  lua.lua_rawgeti(engine.L, lua.LUA_REGISTRYINDEX, env)
  const failed = engine.run(chunk, -1)
  lua.lua_pop(engine.L, 1)
  return failed
}

/** The sources joined by newlines into one chunk, as krakend-lua runs them. */
function compileSources(
  engine: LuaEngine,
  sources: string[],
  files: Map<string, string>,
): { chunk: Chunk | { error: LuaError } | undefined; map: SourceMap } | { error: LuaError } {
  const map: SourceMap = []
  const texts: string[] = []
  for (const path of sources) {
    const text = files.get(path)
    if (text === undefined)
      return {
        error: {
          message: `lua: unable to load required source ${path}`,
          status: undefined,
          contentType: undefined,
        },
      }
    texts.push(text)
    map.push(sourceEntry(path, text))
  }
  return { chunk: texts.length > 0 ? engine.compile(texts.join('\n'), map) : undefined, map }
}

function loadFiles(paths: string[], log: Log): Map<string, string> {
  const files = new Map<string, string>()
  for (const path of paths) {
    const text = readSource(path)
    if (text === undefined) log(`[Lua] Opening the source file: open ${path}: no such file or directory`)
    else files.set(path, text)
  }
  return files
}

function checksumsMatch(config: LuaConfig, files: Map<string, string>, log: Log): boolean {
  for (const [source, expected] of Object.entries(config.md5 ?? {})) {
    if (typeof expected !== 'string') {
      log(`lua: wrong cheksum type for source ${source}`)
      return false
    }
    const content = files.get(source) ?? ''
    const actual = cryptoModule().createHash('md5').update(content).digest('hex')
    if (actual !== expected) {
      log(`lua: wrong cheksum for source ${source}. have: ${actual}, want: ${expected}`)
      return false
    }
  }
  return true
}
