// The components only some configs use (components/runtimes.ts), loaded the first time a config
// names one. Bundled on its own by src/image/bundle.ts, without the modules gateway.cjs already
// holds: those it takes from the running gateway.cjs (one GoNumber class, one libraries cache).
export * as cel from '../components/cel.ts'
export * as clientCredentials from '../components/client-credentials.ts'
export * as jsonSchema from '../components/json-schema.ts'
export * as jwt from '../components/jwt.ts'
export * as lua from '../components/lua.ts'
export * as luaRouter from '../components/lua-router.ts'
export * as martian from '../components/martian.ts'
export * as martianRun from '../components/martian-run.ts'
export * as revoker from '../components/revoker.ts'
export * as signer from '../components/signer.ts'
