// Requests for combined.config.ts's endpoints, drawn with its config (same SEED, V2/V3/V4).
export { cases } from './combined.config.ts'
