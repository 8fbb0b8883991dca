import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { renderServerBlock } from '../../../src/providers/haproxy/config-file.ts'
import { editedServerLines, mapFileWarning } from '../../../src/providers/haproxy/hand-edits.ts'

const OPTIONS = 'check inter 1s'
const settings = { slots: 2, serverOptions: OPTIONS }
const cfg = (block: string[]) =>
  ['frontend gateway', '    bind :80', '', 'backend be_blue', '    balance roundrobin', ...block, ''].join(
    '\n',
  )
const written = renderServerBlock('blue', [{ address: '10.0.0.5', port: 8080 }], 2, OPTIONS)

describe('server blocks edited by hand', () => {
  it('a block as gwdeploy writes it for the recorded nodes has no edits (whitespace aside)', () => {
    assert.deepEqual(
      editedServerLines(cfg(written), 'be_blue', 'blue', [{ address: '10.0.0.5', port: 8080 }], settings),
      [],
    )
    const spaced = written.map((line) => line.replace(' check', '   check'))
    assert.deepEqual(
      editedServerLines(cfg(spaced), 'be_blue', 'blue', [{ address: '10.0.0.5', port: 8080 }], settings),
      [],
    )
  })

  it('an option added, an address changed and a server of its own inside the block are named', () => {
    const edited = [
      written[0] as string,
      '    server blue1 10.0.0.5:8080 check inter 1s maxconn 50',
      '    server blue2 10.0.0.9:8080 check inter 1s',
      '    server extra 10.0.0.7:8080',
      written.at(-1) as string,
    ]
    assert.deepEqual(
      editedServerLines(cfg(edited), 'be_blue', 'blue', [{ address: '10.0.0.5', port: 8080 }], settings),
      [
        {
          found: 'server blue1 10.0.0.5:8080 check inter 1s maxconn 50',
          expected: 'server blue1 10.0.0.5:8080 check inter 1s',
        },
        {
          found: 'server blue2 10.0.0.9:8080 check inter 1s',
          expected: 'server blue2 127.0.0.1:1 check inter 1s disabled',
        },
        { found: 'server extra 10.0.0.7:8080', expected: undefined },
      ],
    )
  })

  it('a backend without a gwdeploy block says nothing (the config check reports it)', () => {
    assert.deepEqual(
      editedServerLines(cfg(['    server s1 10.0.0.1:80']), 'be_blue', 'blue', [], settings),
      [],
    )
  })
})

describe('a map file that says another split than HAProxy runs', () => {
  const running = { blue: 100, green: 0 }
  it('agrees: nothing (comments and the maintenance entry aside)', () => {
    const text = '# gwdeploy target: api\nblue 100\ngreen 0\nmaintenance off\n'
    assert.equal(mapFileWarning('lb1', '/etc/haproxy/gwdeploy.map', text, running), undefined)
  })
  it('another split or no valid entries: named, with what runs and the way out', () => {
    const other = mapFileWarning('lb1', '/etc/haproxy/gwdeploy.map', 'blue 0\ngreen 100\n', running)
    assert.equal(other?.where, 'lb1 map file says blue 0% / green 100%')
    assert.match(
      other?.warning ?? '',
      /runs blue 100% \/ green 0%: the next reload of HAProxy applies the file/,
    )
    const broken = mapFileWarning('lb1', '/etc/haproxy/gwdeploy.map', 'green fifty\n', running)
    assert.equal(broken?.where, 'lb1 map file holds no valid blue/green entries')
  })
  it('a running split that leaves requests with no backend is not offered as the entries to write', () => {
    const unrouted = mapFileWarning('lb1', '/etc/haproxy/gwdeploy.map', 'blue 100\ngreen 10\n', {
      blue: 0,
      green: 10,
    })
    assert.doesNotMatch(unrouted?.warning ?? '', /Put the entries back/)
    assert.match(unrouted?.warning ?? '', /Fix what runs first \(some requests find no backend\)/)
  })
})
