/** The documented exit codes. Shown in `--help` and the README; kept under `--json` too. */
export const ExitCode = {
  ok: 0,
  bug: 1,
  usage: 2,
  lockHeld: 3,
  healthGate: 4,
  rolledBack: 5,
  provider: 6,
  timedOut: 7,
  live: 8,
  interrupted: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export const EXIT_CODE_TABLE: ReadonlyArray<readonly [ExitCodeValue, string]> = [
  [ExitCode.ok, 'success (also: nothing to do, the SHA is already live, nothing left to destroy)'],
  [ExitCode.bug, 'unexpected error — a bug in gwdeploy; rerun with DEBUG=gwdeploy* and report it'],
  [ExitCode.usage, 'usage or configuration error; nothing was changed'],
  [ExitCode.lockHeld, 'another release holds the lock for this target'],
  [
    ExitCode.healthGate,
    'green failed its health gate; traffic untouched (`status`: a serving node is unhealthy)',
  ],
  [ExitCode.rolledBack, 'green failed during bake; traffic reverted to the colour that served before'],
  [ExitCode.provider, 'provider, registry or API failure'],
  [ExitCode.timedOut, '`status --wait-for`: the state was not reached within --timeout'],
  [
    ExitCode.live,
    'the release is live (traffic moved), but a step after the switch did not finish; re-run to finish it',
  ],
  [ExitCode.interrupted, 'interrupted by SIGINT/SIGTERM/SIGHUP or `gwdeploy abort`, after cleaning up'],
]

export function renderExitCodeTable(indent = '  '): string {
  return EXIT_CODE_TABLE.map(([code, text]) => `${indent}${String(code).padStart(3)}  ${text}`).join('\n')
}
