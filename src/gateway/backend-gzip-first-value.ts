// The first JSON value of a gzip answer, read as the compressed bytes come: lura decodes a gzip body
// through gzip.NewReader (Go's transport does the same when it asked for gzip itself), and its
// json.Decoder returns once the value is whole, so a backend that flushes `{"a":1}` in a gzip stream
// and keeps the body open is answered at once.
import type { Gunzip } from 'node:zlib'
import { FAILED_AT, FirstValueScanner, NEEDS_MORE } from './go-json-scanner.ts'
import { zlibModule } from './libraries.ts'

export class GzipFirstValue {
  readonly #gunzip: Gunzip
  readonly #scanner = new FirstValueScanner()
  readonly #pieces: Buffer[] = []
  #size = 0
  #stopped = false
  /** Set by finish: the body ended, every byte is wanted (no more looking for the value). */
  #whole: ((bytes: Buffer | undefined) => void) | undefined

  /**
   * `onValue`: the decompressed bytes up to the end of the first value (or up to a syntax error).
   * `onBroken`: the compressed bytes are not gzip (or are corrupt): the caller decides as it does
   * for a whole body. Past `limit` decompressed bytes without a value, nothing more is reported.
   */
  constructor(limit: number, onValue: (bytes: Buffer) => void, onBroken: () => void) {
    const gunzip = zlibModule().createGunzip()
    this.#gunzip = gunzip
    gunzip.on('data', (piece: Buffer) => {
      if (this.#stopped) return
      this.#pieces.push(piece)
      this.#size += piece.length
      if (this.#size > limit) return this.close()
      if (this.#whole) return
      const end = this.#scanner.feed(piece)
      if (end === NEEDS_MORE) return
      this.close()
      const bytes = Buffer.concat(this.#pieces, this.#size)
      onValue(end === FAILED_AT ? bytes : bytes.subarray(0, end))
    })
    gunzip.on('error', () => {
      if (this.#stopped) return
      const whole = this.#whole
      this.close()
      if (!whole) onBroken()
    })
    gunzip.on('end', () => {
      if (this.#stopped) return
      const whole = this.#whole
      this.#whole = undefined
      this.close()
      whole?.(Buffer.concat(this.#pieces, this.#size))
    })
  }

  /** Whether it still reads (no value found, no error, not past the limit). */
  get running(): boolean {
    return !this.#stopped
  }

  /**
   * The body ended (every chunk written): `done` gets all of it decompressed, or undefined when
   * it is not gzip or is past the limit (the caller decompresses it whole, with that error).
   */
  finish(done: (bytes: Buffer | undefined) => void): void {
    this.#whole = done
    this.#gunzip.end()
  }

  /** The next compressed bytes. */
  write(chunk: Buffer): void {
    if (!this.#stopped) this.#gunzip.write(chunk)
  }

  close(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#gunzip.destroy()
    const whole = this.#whole
    this.#whole = undefined
    whole?.(undefined)
  }
}
