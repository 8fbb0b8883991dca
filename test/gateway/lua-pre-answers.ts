// The check the Lua pre-script tables share: each case's endpoint (`${prefix}${i}`, as
// luaPreGatewayWith made them) answers KrakenD's status and body on every one of `rounds` calls.
import assert from 'node:assert/strict'

/** [pre script, KrakenD's status, KrakenD's body] */
export type LuaPreAnswer = [pre: string, status: number, body: string]

export async function assertLuaPreAnswers(
  url: string,
  prefix: string,
  cases: LuaPreAnswer[],
  rounds = 1,
): Promise<void> {
  for (let round = 0; round < rounds; round += 1)
    for (const [i, [pre, status, body]] of cases.entries()) {
      const res = await fetch(`${url}${prefix}${i}`)
      assert.equal(res.status, status, `${pre} (call ${round})`)
      assert.equal(await res.text(), body, `${pre} (call ${round})`)
    }
}
