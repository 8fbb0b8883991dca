/**
 * The live view as pure functions of event sequences (golden): the same events rendered at a
 * width, with and without colour, at an instant. GWDEPLOY_UPDATE_GOLDEN=1 rewrites the files.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { PassThrough } from 'node:stream'
import { describe, it } from 'node:test'
import { TtyReporter } from '../../src/cli/reporters/tty.ts'
import {
  colourSupported,
  emptyView,
  fit,
  formatCountdown,
  formatElapsed,
  reduce,
  renderView,
  splitBar,
} from '../../src/cli/reporters/view.ts'
import type { EngineEvent } from '../../src/core/events.ts'

const ESC = String.fromCharCode(27)
const T0 = Date.parse('2026-01-02T03:04:00.000Z')

/** A release on a weighted provider: [ms after T0, event]. */
const RELEASE: Array<[number, EngineEvent]> = [
  [0, { type: 'step', step: 'lock', status: 'running' }],
  [120, { type: 'step', step: 'lock', status: 'done' }],
  [120, { type: 'step', step: 'stamp', status: 'running' }],
  [300, { type: 'step', step: 'stamp', status: 'done' }],
  [300, { type: 'step', step: 'build', status: 'skipped', detail: 'local runs the runtime bundle directly' }],
  [300, { type: 'step', step: 'plan', status: 'running' }],
  [350, { type: 'weights', weights: { blue: 100, green: 0 } }],
  [400, { type: 'step', step: 'plan', status: 'done' }],
  [400, { type: 'step', step: 'provision', status: 'running' }],
  [900, { type: 'progress', step: 'provision', message: 'started 2 node(s) of green' }],
  [2_400, { type: 'step', step: 'provision', status: 'done' }],
  [2_400, { type: 'step', step: 'verify', status: 'running' }],
  [2_450, { type: 'node', step: 'verify', node: 'green-1', status: 'pending' }],
  [2_450, { type: 'node', step: 'verify', node: 'green-2', status: 'pending' }],
  [3_100, { type: 'node', step: 'verify', node: 'green-1', status: 'healthy' }],
  [3_300, { type: 'node', step: 'verify', node: 'green-2', status: 'healthy' }],
  [3_300, { type: 'step', step: 'verify', status: 'done' }],
  [3_300, { type: 'step', step: 'shift', status: 'running' }],
  [3_350, { type: 'weights', weights: { blue: 60, green: 40 } }],
  [3_350, { type: 'progress', step: 'shift', message: 'baking for 90 s' }],
  [3_350, { type: 'bake', step: 'shift', colour: 'green', durationMs: 90_000, endsAt: T0 + 93_350 }],
  [
    20_000,
    { type: 'node', step: 'shift', node: 'green-2', status: 'unhealthy', detail: 'HTTP 503 from /__health' },
  ],
]

function viewAt(events: Array<[number, EngineEvent]>, upTo: number) {
  const model = emptyView()
  for (const [at, event] of events) if (at <= upTo) reduce(model, event, T0 + at)
  return model
}

async function golden(name: string, text: string) {
  const file = new URL(`./golden/${name}`, import.meta.url)
  if (process.env.GWDEPLOY_UPDATE_GOLDEN === '1') await writeFile(file, text)
  assert.equal(text, await readFile(file, 'utf8'), `${name} differs (GWDEPLOY_UPDATE_GOLDEN=1 rewrites it)`)
}

const frames = (width: number, colour: boolean) =>
  [3_000, 30_000]
    .map((at) => {
      const lines = renderView(viewAt(RELEASE, at), { width, colour, now: T0 + at })
      for (const line of lines) {
        const visible = line.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '')
        assert.ok([...visible].length <= width, `wider than ${width}: ${JSON.stringify(visible)}`)
      }
      return `--- at ${at / 1000}s, width ${width}${colour ? ', colour' : ''}\n${lines.join('\n')}\n`
    })
    .join('')

describe('live view (pure)', () => {
  it('golden: a release at 72 columns without colour (elapsed per step, split bar, countdown, nodes)', async () => {
    await golden('view-72.txt', frames(72, false))
  })

  it('golden: the same at 40 columns (lines cut with …) and with colour', async () => {
    await golden('view-40.txt', frames(40, false))
    await golden('view-72-colour.txt', JSON.stringify(frames(72, true).split('\n'), null, 1))
  })

  it('the countdown and the elapsed times move with the clock, not with events', () => {
    const model = viewAt(RELEASE, 30_000)
    const at = (ms: number) => renderView(model, { width: 80, colour: false, now: T0 + ms }).join('\n')
    assert.match(at(30_000), /bake green: 1:04 left of 1:30/)
    assert.match(at(92_500), /bake green: 0:01 left of 1:30/)
    assert.match(at(95_000), /bake green: checking the last round/)
    assert.match(at(95_000), /… shift {2}baking for 90 s +1m31s$/m)
    reduce(model, { type: 'step', step: 'shift', status: 'done' }, T0 + 96_000)
    const done = renderView(model, { width: 80, colour: false, now: T0 + 500_000 }).join('\n')
    assert.match(done, /✔ shift {2}baking for 90 s +1m32s$/m)
    assert.doesNotMatch(done, /bake green/)
  })

  it('bars, durations and cutting', () => {
    assert.equal(splitBar({ blue: 60, green: 40 }, 10, false), '██████░░░░')
    assert.equal(splitBar({ blue: 0, green: 100 }, 4, false), '░░░░')
    assert.equal(splitBar({ blue: 0, green: 0 }, 3, false), '···')
    assert.equal(splitBar({ blue: 50, green: 50 }, 2, true), '\x1b[34m█\x1b[0m\x1b[32m█\x1b[0m')
    assert.equal(formatElapsed(950), '0.9s')
    assert.equal(formatElapsed(61_000), '1m01s')
    assert.equal(formatCountdown(1), '0:01')
    assert.equal(fit('abcdef', 4), 'abc…')
    assert.equal(fit('abc', 4), 'abc')
  })

  it('colour: NO_COLOR and TERM=dumb turn it off, FORCE_COLOR on, else the terminal decides', () => {
    const tty = { isTTY: true, hasColors: () => true }
    assert.equal(colourSupported({}, tty), true)
    assert.equal(colourSupported({ NO_COLOR: '1' }, tty), false)
    assert.equal(colourSupported({ TERM: 'dumb' }, tty), false)
    assert.equal(colourSupported({}, { isTTY: true, hasColors: () => false }), false)
    assert.equal(colourSupported({ FORCE_COLOR: '1' }, { isTTY: false }), true)
    assert.equal(colourSupported({}, { isTTY: false }), false)
  })

  it('the TTY reporter redraws the view in place, notes scroll above it, width from the terminal', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream
    Object.assign(stream, { columns: 30 })
    let out = ''
    ;(stream as unknown as PassThrough).on('data', (chunk: Buffer) => {
      out += chunk
    })
    let now = T0
    const reporter = new TtyReporter(stream, { env: { NO_COLOR: '1' }, now: () => now, tickMs: 0 })
    reporter.emit({ type: 'step', step: 'stamp', status: 'running' })
    now += 1_500
    reporter.emit({ type: 'step', step: 'stamp', status: 'done' })
    reporter.emit({ type: 'warn', message: 'a warning' })
    reporter.close()
    const frames = out.split(new RegExp(`${ESC}\\[\\d+A${ESC}\\[J`))
    assert.equal(frames[0], `… stamp${' '.repeat(18)}0.0s\n`)
    assert.equal(frames.at(-2), `warning: a warning\n✔ stamp${' '.repeat(18)}1.5s\n`)
    assert.equal(frames.at(-1), `✔ stamp${' '.repeat(18)}1.5s\n`)
  })
})
