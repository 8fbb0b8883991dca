// The gateway runtime's public surface, used by the CLI commands, the image builder and tests.
export { createGateway, type Gateway, type GatewayOptions } from './app.ts'
export { parseRunArgs, USAGE } from './cli.ts'
export { formatDuration, parseDuration } from './config/duration.ts'
export { checkGatewayConfigFile, checkGatewayConfigText, loadGatewayConfig } from './config/load.ts'
export type { BackendConfig, EndpointConfig, GatewayConfig } from './config/types.ts'
export {
  normaliseHost,
  RESERVED_PATHS,
  type ValidationResult,
  validateGatewayConfig,
} from './config/validate.ts'
export { createLogger, type Logger } from './logging.ts'
export { GatewayMetrics } from './metrics.ts'
export { applyOverrides, type RunningGateway, type RunOptions, runGateway } from './runtime.ts'
export { type GatewayServer, listen } from './server.ts'
export { GATEWAY_VERSION } from './version.ts'
