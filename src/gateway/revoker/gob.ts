/**
 * Go's encoding/gob for the revoker's net/rpc server: values and types (gob-types.ts), the
 * receiving side (gob-decode.ts) and the sending side (gob-encode.ts).
 */
export { decodeGobStream, GobDecoder } from './gob-decode.ts'
export { GobEncoder } from './gob-encode.ts'
export { GobError, type GobMarshaled, type GobStruct, type GobType, type GobValue } from './gob-types.ts'
export { senderStructName } from './gob-values.ts'
