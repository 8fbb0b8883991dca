// A gzip body streamed as Go's gzip.Reader (multistream) streams it: each member's bytes as they
// inflate, its trailer checked, then the next member, and a clean end at the first error, as lura's
// no-op io.Copy ends there. zlib's streaming gunzip inflates a member and fails on the bytes after
// it in one write, and the output of that write goes with the error: a body with garbage, a bad
// checksum or a cut second member after its first came out empty (Go hands up the first member).
// A member's deflate data goes to an inflateRaw of its own, whose consumed-byte count says where
// the trailer starts; header and trailer are read here with Go's rules (gzip-members.ts).
// Corrupt deflate data: zlib drops the output of the write that fails where Go's flate hands up
// every byte decoded before the bad symbol; a member's compressed bytes are kept while they are few
// (REPLAY_LIMIT) and, on that error, inflated again up to the corruption (beforeCorruption).
import { Readable } from 'node:stream'
import type { InflateRaw } from 'node:zlib'
import { beforeCorruption, memberData } from './gzip-members.ts'
import { zlibModule } from './libraries.ts'

const EMPTY = Buffer.alloc(0)
/**
 * The source is read ahead of the inflater up to this much (then paused): the bytes that came
 * before a backend's connection closes are read, as Go's transport hands them up before the error.
 */
const READ_AHEAD = 64 * 1024
/** A member's compressed bytes kept for the replay after corrupt data; past this, none are. */
const REPLAY_LIMIT = 256 * 1024
/** A replay stops when what it inflates passes what came out so far by this much (a bomb). */
const REPLAY_SPARE = 8 * 1024 * 1024

/** `source` gunzipped as Go reads it; ends (never fails) at the first error, kept in `error`. */
export class GoGunzip extends Readable {
  /** The read error the stream ended at, in Go's words where Go's and zlib's agree; '' if none. */
  error = ''
  readonly #source: Readable
  /** Bytes of the source not yet read (a header, a trailer, or deflate data not yet written). */
  #pending: Buffer = EMPTY
  /** The source ended (or failed: its error then stands for `unexpected EOF`). */
  #sourceEnded = false
  #sourceError: string | undefined
  #phase: 'header' | 'deflate' | 'trailer' = 'header'
  #inflater: InflateRaw | undefined
  /** A write to the inflater, or the inflater's end, is awaited. */
  #busy = false
  /** The member's deflate data ended in the last write; its last bytes come before the inflater's end. */
  #deflateDone = false
  #inflaterEnded = false
  #crc = 0
  #size = 0
  /** The member's deflate data written so far, while within REPLAY_LIMIT. */
  #written: Buffer[] | undefined = []
  #writtenSize = 0
  #over = false
  #stepping = false
  #reading = false

  constructor(source: Readable) {
    super()
    this.#source = source
    source.on('error', this.#onError)
  }

  override _read(): void {
    // the source is read from the first read on: one dropped unread (dump()) is left as it is
    if (!this.#reading) {
      this.#reading = true
      this.#source.on('data', this.#onData)
      this.#source.on('end', this.#onEnd)
      // a source paused before (qos/http-cache's committing body) does not flow on a 'data' listener
      this.#source.resume()
    }
    this.#inflater?.resume()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#over = true
    this.#inflater?.destroy()
    this.#source.destroy()
    callback(error)
  }

  readonly #onData = (chunk: Buffer) => {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk])
    if (this.#pending.length >= READ_AHEAD) this.#source.pause()
    this.#step()
  }

  readonly #onEnd = () => {
    this.#sourceEnded = true
    this.#step()
  }

  /** A failed source is read up to its error, as an ended one: what came before it is inflated. */
  readonly #onError = (error: Error) => {
    if (this.#over || this.#sourceEnded) return
    this.#sourceEnded = true
    this.#sourceError = error.message
    this.#step()
  }

  /** The source ended where more bytes were needed. */
  #cut(): void {
    this.#stop(this.#sourceError ?? 'unexpected EOF')
  }

  /** Reads what the pending bytes hold, until it needs more of them or an inflater write is out. */
  #step(): void {
    if (this.#stepping) return
    this.#stepping = true
    try {
      while (!this.#over && !this.#busy && this.#next());
    } finally {
      this.#stepping = false
    }
  }

  /** One piece read; false when it waits (for the source, the inflater) or the stream is over. */
  #next(): boolean {
    const pending = this.#pending
    if (this.#phase === 'header') {
      const data = memberData(pending, 0)
      if (data === undefined) {
        if (!this.#sourceEnded) this.#source.resume()
        else if (this.#sourceError === undefined) this.#finish()
        else this.#cut()
        return false
      }
      if (data === 'unexpected EOF') {
        if (this.#sourceEnded) this.#cut()
        else this.#source.resume()
        return false
      }
      if (typeof data === 'string') {
        this.#stop(data)
        return false
      }
      this.#pending = pending.subarray(data)
      this.#startMember()
      return true
    }
    if (this.#phase === 'trailer') {
      if (pending.length < 8) {
        if (this.#sourceEnded) this.#cut()
        else this.#source.resume()
        return false
      }
      if (pending.readUInt32LE(0) !== this.#crc || pending.readUInt32LE(4) !== this.#size % 2 ** 32) {
        this.#stop('gzip: invalid checksum')
        return false
      }
      this.#pending = pending.subarray(8)
      this.#phase = 'header'
      return true
    }
    if (pending.length === 0) {
      if (this.#sourceEnded) this.#cut()
      else this.#source.resume()
      return false
    }
    this.#inflate(pending)
    return false
  }

  #startMember(): void {
    this.#phase = 'deflate'
    this.#crc = 0
    this.#size = 0
    this.#deflateDone = false
    this.#inflaterEnded = false
    this.#written = []
    this.#writtenSize = 0
    const zlib = zlibModule()
    const inflater = zlib.createInflateRaw()
    this.#inflater = inflater
    inflater.on('data', (out: Buffer) => {
      if (this.#over) return
      this.#crc = zlib.crc32(out, this.#crc)
      this.#size += out.length
      if (!this.push(out)) inflater.pause()
    })
    inflater.on('end', () => {
      this.#inflaterEnded = true
      if (this.#deflateDone) this.#endMember()
    })
    // zlib's error for corrupt deflate data (Go's says `flate: corrupt input before offset N`)
    inflater.on('error', (error: Error) => {
      if (this.#over) return
      this.#replay()
      this.#stop(error.message)
    })
  }

  /** After corrupt deflate data: what zlib dropped of the member, from the bytes kept. */
  #replay(): void {
    if (this.#written === undefined) return
    const kept = beforeCorruption(Buffer.concat(this.#written, this.#writtenSize), this.#size + REPLAY_SPARE)
    if (kept && kept.out.length > this.#size) this.push(kept.out.subarray(this.#size))
  }

  #inflate(input: Buffer): void {
    const inflater = this.#inflater as InflateRaw
    this.#pending = EMPTY
    this.#busy = true
    if (this.#written !== undefined) {
      this.#writtenSize += input.length
      if (this.#writtenSize <= REPLAY_LIMIT) this.#written.push(input)
      else this.#written = undefined
    }
    const before = inflater.bytesWritten
    inflater.write(input, (error) => {
      if (error || this.#over) return
      const consumed = inflater.bytesWritten - before
      if (consumed === input.length) {
        this.#busy = false
        this.#step()
        return
      }
      // the deflate data ended inside this input: the rest is the trailer and what follows
      const rest = input.subarray(consumed)
      this.#pending = this.#pending.length === 0 ? rest : Buffer.concat([rest, this.#pending])
      this.#deflateDone = true
      if (this.#inflaterEnded) this.#endMember()
    })
  }

  #endMember(): void {
    this.#inflater?.destroy()
    this.#inflater = undefined
    this.#phase = 'trailer'
    this.#busy = false
    this.#step()
  }

  /** The clean end of the last member. */
  #finish(): void {
    this.#over = true
    this.#source.off('data', this.#onData)
    this.push(null)
  }

  /** A read error: what came before it is all (io.Copy stops there); the rest of the body is dropped. */
  #stop(error: string): void {
    if (this.#over) return
    this.error = error
    this.#over = true
    this.#inflater?.destroy()
    this.#source.off('data', this.#onData)
    this.#source.destroy()
    this.push(null)
  }
}
