/**
 * gopher-lua's numeric `for` takes numbers only: a string init, limit or step fails the call ("for
 * statement init must be a number"), where Lua 5.3 (fengari) converts it (`for i = '1', '3'` runs).
 * Each compiled FORPREP is moved to the end of its function behind three `<` comparisons of the
 * init, step and limit with the number 0 (gopher-lua's order), which raise on anything but a number
 * (strings included) and change nothing else; the FORPREP's old place jumps there. Done once, when
 * a chunk is compiled; a loop's start costs three comparisons.
 */

/** The parts of fengari's instruction and value modules used here. */
export interface FengariCode {
  lopcodes: {
    OpCodesI: { OP_FORPREP: number; OP_JMP: number; OP_LT: number }
    CREATE_ABC(o: number, a: number, b: number, c: number): Instruction
    CREATE_ABx(o: number, a: number, bx: number): Instruction
    MAXARG_sBx: number
    MAXINDEXRK: number
    BITRK: number
  }
  numberConstant(): Constant
}

interface Instruction {
  opcode: number
  A: number
  sBx: number
}
interface Constant {
  ttisnumber(): boolean
}
export interface Proto {
  code: Instruction[]
  lineinfo: number[]
  k: Constant[]
  p: Proto[]
}

/** Rewrites every numeric `for` of `proto` and the functions inside it. */
export function checkForBounds(proto: Proto, fc: FengariCode): void {
  const { OP_FORPREP, OP_JMP, OP_LT } = fc.lopcodes.OpCodesI
  const { CREATE_ABC, CREATE_ABx, MAXARG_sBx, MAXINDEXRK, BITRK } = fc.lopcodes
  const jump = (sBx: number) => CREATE_ABx(OP_JMP, 0, sBx + MAXARG_sBx)
  let zero = -1
  const end = proto.code.length
  for (let pc = 0; pc < end; pc += 1) {
    const prep = proto.code[pc] as Instruction
    if (prep.opcode !== OP_FORPREP) continue
    if (zero === -1) zero = numberConstantIndex(proto, fc)
    if (zero > MAXINDEXRK) break
    const target = pc + 1 + prep.sBx
    const line = proto.lineinfo[pc] as number
    proto.code[pc] = jump(proto.code.length - (pc + 1))
    for (const register of [prep.A, prep.A + 2, prep.A + 1]) {
      proto.code.push(CREATE_ABC(OP_LT, 0, register, zero | BITRK), jump(0))
      proto.lineinfo.push(line, line)
    }
    proto.code.push(CREATE_ABx(OP_FORPREP, prep.A, target - (proto.code.length + 1) + MAXARG_sBx))
    proto.lineinfo.push(line)
  }
  for (const inner of proto.p) checkForBounds(inner, fc)
}

/** A number constant's index in the function's constants (one added if there is none). */
function numberConstantIndex(proto: Proto, fc: FengariCode): number {
  const found = proto.k.findIndex((k) => k.ttisnumber())
  if (found !== -1 && found <= fc.lopcodes.MAXINDEXRK) return found
  proto.k.push(fc.numberConstant())
  return proto.k.length - 1
}

/**
 * Which bound the comparison at `pc` checks, when it is one written above (an LT, then its block's
 * FORPREP 2, 4 or 6 instructions on, jumping back: the compiler's always jump forward).
 */
export function forBoundAt(code: Instruction[], pc: number, fc: FengariCode): string | undefined {
  const { OP_FORPREP, OP_LT } = fc.lopcodes.OpCodesI
  if (code[pc]?.opcode !== OP_LT || code[pc]?.A !== 0) return undefined
  const names = ['limit', 'step', 'init']
  for (let k = 0; k < 3; k += 1) {
    const prep = code[pc + 2 * (k + 1)]
    if (prep?.opcode === OP_FORPREP && prep.sBx < 0) return names[k]
  }
  return undefined
}
