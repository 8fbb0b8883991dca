/**
 * cel-go's legacy nullness in its check: `null` is assignable to a timestamp or a duration, so
 * `null < timestamp(now)`, `timestamp(x) != null` or `d + null` check there (KrakenD runs the
 * expression) and fail when evaluated ("no such overload"), but equality, which is false (`!=`
 * true) as between any two types. cel-js refused them: the same operators and the accessors
 * (`null.getHours()`) are declared here, with cel-go's result types (dyn where several of its
 * overloads fit, as `null + duration`).
 */
import type { Environment } from '@marcbachmann/cel-js'
import { ZONED_ACCESSORS } from './cel-go-time.ts'

const TS = 'google.protobuf.Timestamp'
const DUR = 'google.protobuf.Duration'

const noOverload = (op: string) => (): never => {
  throw new Error(`no such overload: ${op}`)
}

// [left, op, right, result]: the standard overloads of + and - one null operand fits.
const ARITHMETIC: Array<[string, '+' | '-', string, string]> = [
  ['null', '+', DUR, 'dyn'],
  ['null', '+', TS, TS],
  [TS, '+', 'null', TS],
  [DUR, '+', 'null', 'dyn'],
  ['null', '+', 'null', 'dyn'],
  [TS, '-', 'null', 'dyn'],
  ['null', '-', TS, DUR],
  [DUR, '-', 'null', DUR],
  ['null', '-', DUR, 'dyn'],
  ['null', '-', 'null', 'dyn'],
]

export function withGoNullness(env: Environment): Environment {
  for (const [left, op, right, result] of ARITHMETIC)
    env.registerOperator(`${left} ${op} ${right}: ${result}`, noOverload(`_${op}_`))
  for (const other of [TS, DUR]) {
    for (const op of ['<', '<=', '>', '>=']) {
      env.registerOperator(`null ${op} ${other}`, noOverload(`_${op}_`))
      env.registerOperator(`${other} ${op} null`, noOverload(`_${op}_`))
    }
    env.registerOperator(`null == ${other}`, () => false)
  }
  for (const op of ['<', '<=', '>', '>=']) env.registerOperator(`null ${op} null`, noOverload(`_${op}_`))
  let out = env
  // The accessors (a zone argument renames them <accessor>Go, as cel-go-functions.ts does).
  for (const name of ZONED_ACCESSORS)
    out = out
      .registerFunction(`null.${name}(): int`, noOverload(name))
      .registerFunction(`null.${name}Go(string): int`, noOverload(name))
  return out
}
