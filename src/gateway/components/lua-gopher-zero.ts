/**
 * gopher-lua writes the result of `+ - * / % ^` into its register through its allocator
 * (LNumber2I), which hands back the shared preloaded +0 for any value equal to 0: an arithmetic
 * -0 is +0 there (`z * -1` with z = 0, `-1 % 1`, `(-z) / 1`), so `1 / (z * -1)` is +Inf and
 * `string.format("%g", z * -1)` is "0". A negation (`-z`), a constant the compiler folds (`0 * -1`
 * written so), a library's result (`math.ceil(-0.5)`) and a numeral keep their -0. Here the VM's
 * float setter writes +0 for a -0 when it fills the destination register of a running +, -, *, /,
 * % or ^ instruction with no string operand (gopher-lua's slow path for those keeps -0: `"-0" / 1`
 * is -0), but for one of two constants: Lua 5.3 folds no constant expression that gives
 * 0, so `0 * -1` runs, where gopher-lua folded it. Left as they are, constant expressions only: a
 * longer one (`0 * -1 * 5`) gives +0 here, and gopher-lua's folded -0 takes the slot of a 0
 * constant its function already has (its constants are compared with ==), so there it is +0.
 */

interface Instruction {
  opcode: number
  A: number
  B: number
  C: number
}
interface Value {
  type: number
}
interface Thread {
  ci: {
    callstatus: number
    l_code?: Instruction[]
    l_savedpc: number
    l_base: number
    func: { value: { p: { k: Value[] } } }
  }
  stack: Value[]
}
export interface FengariVm {
  luaV_execute: (L: Thread) => void
}
interface FloatValue {
  type: number
  value: number
  setfltvalue(x: number): void
}
export interface FengariZero {
  lvm: FengariVm
  TValue: { prototype: FloatValue }
  floatType: number
  /** lstate's CIST_LUA: the call info runs a Lua function. */
  luaCall: number
  /** lopcodes' OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD and OP_POW. */
  arithmetic: number[]
  /** lopcodes' BITRK: an operand with it is a constant. */
  constant: number
  /** LUA_TSTRING, a value's type without its variant bits. */
  stringType: number
}

export function gopherArithmeticZero({
  lvm,
  TValue,
  floatType,
  luaCall,
  arithmetic,
  constant,
  stringType,
}: FengariZero): void {
  // The threads whose Lua code runs, innermost last (a pcall or coroutine runs the VM again).
  const running: Thread[] = []
  const execute = lvm.luaV_execute
  lvm.luaV_execute = (L) => {
    running.push(L)
    try {
      execute(L)
    } finally {
      running.pop()
    }
  }
  const arithmeticOps = new Set(arithmetic)
  const isString = (value: Value | undefined) => value !== undefined && (value.type & 0x0f) === stringType
  const isArithmeticResult = (slot: FloatValue): boolean => {
    const L = running[running.length - 1]
    const ci = L?.ci
    if (!L || !ci || !(ci.callstatus & luaCall) || !ci.l_code) return false
    const instruction = ci.l_code[ci.l_savedpc - 1]
    if (
      instruction === undefined ||
      !arithmeticOps.has(instruction.opcode) ||
      L.stack[ci.l_base + instruction.A] !== slot ||
      (instruction.B & constant && instruction.C & constant)
    )
      return false
    // A string operand takes gopher-lua's slow path (objectArith), which stores the -0 as it is.
    // The destination may be an operand's register: its type is read before this write.
    const operand = (x: number) => (x & constant ? ci.func.value.p.k[x & ~constant] : L.stack[ci.l_base + x])
    return !isString(operand(instruction.B)) && !isString(operand(instruction.C))
  }
  TValue.prototype.setfltvalue = function (this: FloatValue, x: number) {
    this.type = floatType
    this.value = x === 0 && 1 / x < 0 && isArithmeticResult(this) ? 0 : x
  }
}
