/**
 * gopher-lua's pattern compiler (its pm package) as a check: it parses the WHOLE pattern before it
 * matches anything, so find, match, gmatch and gsub fail on a malformed pattern wherever the subject
 * would have stopped the matcher (`string.find("abc", "a)")` is "invalid ')' at 0"). The scanner is
 * read as pm's is, quirks included, since its positions are in the error texts.
 */
import { latin1 } from './lua-gopher-args.ts'

const EOS = -1

/** pm's scanner: Peek steps back after reading, and its positions are what the errors print. */
class Scanner {
  pos = 0
  started = false
  private savedPos = 0
  private savedStarted = false
  private readonly src: Uint8Array

  constructor(src: Uint8Array) {
    this.src = src
  }

  next(): number {
    if (!this.started) {
      this.started = true
      if (this.src.length === 0) this.pos = EOS
    } else this.pos = this.nextPos()
    return this.pos === EOS ? EOS : (this.src[this.pos] as number)
  }

  nextPos(): number {
    if (this.pos === EOS || this.pos >= this.src.length - 1) return EOS
    return this.started ? this.pos + 1 : 0
  }

  peek(): number {
    const atEnd = this.pos === EOS
    const ch = this.next()
    if (!atEnd) {
      if (this.pos === EOS) this.pos = this.src.length - 1
      else {
        this.pos -= 1
        if (this.pos < 0) {
          this.pos = 0
          this.started = false
        }
      }
    }
    return ch
  }

  save(): void {
    this.savedPos = this.pos
    this.savedStarted = this.started
  }

  restore(): void {
    this.pos = this.savedPos
    this.started = this.savedStarted
  }
}

class PatternError extends Error {}

const fail = (sc: Scanner, message: string): never => {
  throw new PatternError(`${message} at ${sc.pos === EOS ? 'EOS' : sc.pos}`)
}

const PERCENT = 37
const OPEN = 91
const CLOSE = 93
const DASH = 45
const CARET = 94
const OPEN_CAPTURE = 40
const CLOSE_CAPTURE = 41

function parseClass(sc: Scanner, allowSet: boolean): void {
  const ch = sc.next()
  if (ch === PERCENT) sc.next()
  else if (ch === OPEN && allowSet) parseClassSet(sc)
  else if (ch === EOS) fail(sc, 'unexpected EOS')
}

function parseClassSet(sc: Scanner): void {
  if (sc.peek() === CARET) sc.next()
  let classes = 0
  let range = false
  for (;;) {
    const ch = sc.peek()
    if (ch === EOS) fail(sc, 'unexpected EOS')
    if (ch === CLOSE && classes > 0) {
      sc.next()
      return
    }
    if (ch === DASH && classes > 0) {
      sc.next()
      range = true
      continue
    }
    parseClass(sc, false)
    // A range joins the class before and this one into one.
    if (range) range = false
    else classes += 1
  }
}

function parsePattern(sc: Scanner, topLevel: boolean): void {
  if (topLevel && sc.peek() === CARET) sc.next()
  for (;;) {
    const ch = sc.peek()
    if (ch === PERCENT) {
      sc.save()
      sc.next()
      const after = sc.peek()
      if (after === 48 /* 0 */) fail(sc, 'invalid capture index')
      if (after >= 49 && after <= 57) sc.next()
      else if (after === 98 /* b */) {
        sc.next()
        sc.next()
        sc.next()
      } else {
        sc.restore()
        parseClass(sc, true)
      }
    } else if (ch === OPEN || ch === CLOSE || ch === 46 /* . */) parseClass(sc, true)
    else if (ch === CLOSE_CAPTURE) {
      if (topLevel) fail(sc, "invalid ')'")
      return
    } else if (ch === OPEN_CAPTURE) {
      sc.next()
      if (sc.peek() === CLOSE_CAPTURE) sc.next()
      else {
        parsePattern(sc, false)
        if (sc.peek() !== CLOSE_CAPTURE) fail(sc, 'unfinished capture')
        sc.next()
      }
    } else if (ch === EOS) {
      sc.next()
      return
    } else sc.next()
  }
}

/** What gopher-lua's compiler says of `pattern` (its error text), or undefined when it compiles. */
function compileError(pattern: Uint8Array): string | undefined {
  try {
    parsePattern(new Scanner(pattern), true)
    return undefined
  } catch (err) {
    if (err instanceof PatternError) return err.message
    throw err
  }
}

/** Verdicts already given, by pattern (scripts use a few patterns, call after call). */
const VERDICTS = new Map<string, string | undefined>()
const MAX_VERDICTS = 256

/** Only these bytes can make a pattern fail to compile. */
const MAY_FAIL = [PERCENT, OPEN, CLOSE, OPEN_CAPTURE, CLOSE_CAPTURE]

/** gopher-lua's compile error for `pattern`, undefined when it compiles (cached per pattern). */
export function patternCompileError(pattern: Uint8Array): string | undefined {
  if (!MAY_FAIL.some((b) => pattern.indexOf(b) !== -1)) return undefined
  const key = latin1(pattern)
  if (VERDICTS.has(key)) return VERDICTS.get(key)
  const verdict = compileError(pattern)
  if (VERDICTS.size >= MAX_VERDICTS) VERDICTS.clear()
  VERDICTS.set(key, verdict)
  return verdict
}
