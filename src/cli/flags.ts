import { Flags } from '@oclif/core'

/** Flags of every command that reads gwdeploy.yml. */
export const configFlags = {
  config: Flags.string({
    char: 'c',
    description: 'Path of gwdeploy.yml (default: gwdeploy.yml in the current directory).',
    helpGroup: 'CONFIG',
  }),
  env: Flags.string({
    char: 'e',
    description: 'Environment overlay: also reads gwdeploy.<env>.yml and deep-merges it.',
    helpGroup: 'CONFIG',
  }),
}
