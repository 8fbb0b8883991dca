// The components only some configs use (components/runtimes.ts), loaded the first time a config
// names one. Bundled on its own by src/image/bundle.ts, without the modules gateway.cjs already
// holds: those it takes from the running gateway.cjs (one GoNumber class, one libraries cache).
// Each module is required when asked for, so the file itself loads on its own (the image build
// warms the compile cache with every lazy file) and a config evaluates only what it names. The
// bundle cuts it into chunks, lazy/components-<name>.cjs, one per group of modules that share code,
// behind a small lazy/components.cjs index (src/image/component-chunks.ts): a config naming JWT
// reads and keeps the JWT validator's source, not Lua's and CEL's.
// Only ever run bundled: the literal requires are esbuild's to bundle. They name the .js files, which
// dist/ holds; from src/ esbuild finds the .ts file behind a .js path, as TypeScript does.
type Of<T> = () => T
export const cel: Of<typeof import('../components/cel.ts')> = () => require('../components/cel.js')
export const clientCredentials: Of<typeof import('../components/client-credentials.ts')> = () =>
  require('../components/client-credentials.js')
export const httpCacheStore: Of<typeof import('../components/http-cache-store.ts')> = () =>
  require('../components/http-cache-store.js')
export const backendCacheHops: Of<typeof import('../backend-cache-hops.ts')> = () =>
  require('../backend-cache-hops.js')
export const jsonSchema: Of<typeof import('../components/json-schema.ts')> = () =>
  require('../components/json-schema.js')
export const jwt: Of<typeof import('../components/jwt.ts')> = () => require('../components/jwt.js')
export const lua: Of<typeof import('../components/lua.ts')> = () => require('../components/lua.js')
export const luaRouter: Of<typeof import('../components/lua-router.ts')> = () =>
  require('../components/lua-router.js')
export const martian: Of<typeof import('../components/martian.ts')> = () =>
  require('../components/martian.js')
export const martianRun: Of<typeof import('../components/martian-run.ts')> = () =>
  require('../components/martian-run.js')
export const revoker: Of<typeof import('../components/revoker.ts')> = () =>
  require('../components/revoker.js')
export const signer: Of<typeof import('../components/signer.ts')> = () => require('../components/signer.js')
export const xmlEncoding: Of<typeof import('../xml-encoding.ts')> = () => require('../xml-encoding.js')
export const rssEncoding: Of<typeof import('../rss-encoding.ts')> = () => require('../rss-encoding.js')
export const xmlWriter: Of<typeof import('../xml-writer.ts')> = () => require('../xml-writer.js')
export const yamlEncoding: Of<typeof import('../yaml-encoding.ts')> = () => require('../yaml-encoding.js')
