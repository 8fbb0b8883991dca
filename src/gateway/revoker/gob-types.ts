/**
 * The values and types of Go's encoding/gob as gwdeploy handles them, and the wire constants both
 * directions share (/usr/local/go/src/encoding/gob: type.go, encode.go, decode.go).
 */

export type GobType =
  | 'bool'
  | 'int'
  | 'uint'
  | 'float'
  | 'bytes'
  | 'string'
  | { readonly slice: GobType; readonly name?: string }
  | { readonly struct: string; readonly fields: ReadonlyArray<readonly [name: string, type: GobType]> }
  /** A type that marshals itself (GobEncoder, BinaryMarshaler, TextMarshaler): values are GobMarshaled. */
  | { readonly marshaled: GobMarshaled['via']; readonly name: string }

/**
 * A value of a type that implements GobEncoder / BinaryMarshaler / TextMarshaler on the sender: its
 * marshalled bytes (decoded: one array; to encode, also pieces in order, sent without copying them).
 */
export interface GobMarshaled {
  readonly marshaled: Uint8Array | readonly Uint8Array[]
  readonly via: 'gob' | 'binary' | 'text'
}

export type GobValue =
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | GobValue[]
  | GobStruct
  | Map<GobValue, GobValue>
  | GobMarshaled

/** Decoded structs are null-prototype objects. */
export type GobStruct = { [field: string]: GobValue }

export class GobError extends Error {
  override name = 'GobError'
}

/** Type ids every gob stream knows without a definition (type.go bootstrapType). */
export const T_BOOL = 1
export const T_INT = 2
export const T_UINT = 3
export const T_FLOAT = 4
export const T_BYTES = 5
export const T_STRING = 6
export const T_COMPLEX = 7
export const T_INTERFACE = 8
/** type.go firstUserId: a fresh Go process numbers its first user type 64 (net/rpc's Request is `7f` = -64). */
export const FIRST_USER_ID = 64

export const MAX_UINT64 = (1n << 64n) - 1n
export const MIN_INT64 = -(1n << 63n)
export const MAX_INT64 = (1n << 63n) - 1n

/** 64 MiB: the default largest message a decoder buffers. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024

/**
 * How deep values and type definitions may nest (a chain of struct/slice definitions, a recursive
 * slice type): bounds the decoder's recursion below the JavaScript stack.
 */
export const MAX_DEPTH = 1000
