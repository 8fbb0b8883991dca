/** The cloud-init user-data each instance boots with: a template filled with shell-quoted values. */
import { configError, providerError } from '../../core/errors.ts'
import { readsRuntimeEnv } from '../../image/runtime-env.ts'
import type { FleetSpec } from '../types.ts'
import type { AwsSettings } from './settings.ts'

/** AWS limit on user-data, before base64. */
export const USER_DATA_LIMIT = 16 * 1024

/** POSIX single-quoting: safe inside the env file the template sources. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/**
 * `revokerPeers`: the running instances' `IP:PORT` list the new nodes pull revocations from (the
 * runtime's --revoker-peers); empty without a revoker or before a first release.
 */
export function userDataValues(
  settings: AwsSettings,
  spec: FleetSpec,
  revokerPeers = '',
): Record<string, string> {
  const { artifact } = spec
  if (!artifact.image) throw providerError('aws: the release has no image to run')
  const auth = settings.registryAuth
  return {
    service: spec.service,
    colour: spec.colour,
    sha: artifact.sha,
    sha7: artifact.sha7,
    configName: artifact.configName,
    image: artifact.image,
    port: String(spec.port),
    // auth/revoker's port, published like the gateway's (empty: no revoker).
    revokerPort: artifact.revokerPort ? String(artifact.revokerPort) : '',
    revokerPeers,
    registry: settings.registry,
    registryAuth: auth.type,
    registryUser: auth.type === 'ssm' ? auth.username : '',
    registryPasswordParameter: auth.type === 'ssm' ? auth.passwordParameter : '',
    region: settings.region ?? '',
    ...nodeEnvValues(settings, spec),
  }
}

/**
 * fleet.env as two one-line values: `nodeEnv`, the base64 of the plain KEY=VALUE lines (docker
 * --env-file), and `secrets`, space-separated NAME=ssm:PARAMETER / NAME=secretsmanager:ARN[#KEY]
 * references the instance resolves at boot with its role into files under /run/gwdeploy/env —
 * user-data never holds a secret value.
 */
export function nodeEnvValues(settings: AwsSettings, spec: FleetSpec): { nodeEnv: string; secrets: string } {
  const plain: string[] = []
  const secrets: string[] = []
  for (const [name, value] of Object.entries(settings.fleetEnv).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (typeof value === 'string') plain.push(`${name}=${value}`)
    else if ('ssm' in value) secrets.push(`${name}=ssm:${value.ssm}`)
    else if ('secretsManager' in value)
      secrets.push(
        `${name}=secretsmanager:${value.secretsManager}${value.jsonKey ? `#${value.jsonKey}` : ''}`,
      )
    else throw configError(`fleet.env.${name}: aws resolves only ssm and secretsManager references`)
  }
  if (readsRuntimeEnv(spec.artifact.configText)) plain.push('FC_ENABLE=1')
  const text = plain.map((line) => `${line}\n`).join('')
  return { nodeEnv: Buffer.from(text).toString('base64'), secrets: secrets.join(' ') }
}

export function renderUserData(template: string, values: Record<string, string>): string {
  for (const key of ['nodeEnv', 'secrets'])
    if (values[key] && !template.includes(`{{${key}}}`))
      throw configError(`the user-data template has no {{${key}}}: the nodes would start without fleet.env`, {
        location: { path: 'provider.aws.userDataTemplate' },
        hint: 'Copy the fleet.env part of templates/aws/user-data.yaml into your template.',
      })
  // Asked with a revoker even before there are peers: the release after this one needs it.
  if (values.revokerPort && !template.includes('{{revokerPeers}}'))
    throw configError(
      "the user-data template has no {{revokerPeers}}: new nodes would not take the running nodes' auth/revoker revocations, and tokens revoked there would pass",
      {
        location: { path: 'provider.aws.userDataTemplate' },
        hint: 'Copy GWDEPLOY_REVOKER_PEERS and its GATEWAY_REVOKER_PEERS line of templates/aws/user-data.yaml into your template.',
      },
    )
  const text = template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    const value = values[key]
    if (value === undefined) {
      throw configError(`the user-data template uses an unknown placeholder ${whole}`, {
        location: { path: 'provider.aws.userDataTemplate' },
        hint: `Known placeholders: ${Object.keys(values)
          .map((k) => `{{${k}}}`)
          .join(' ')}.`,
      })
    }
    if (/[\r\n\0]/.test(value))
      throw providerError(`aws: ${key} contains a line break; it cannot go into user-data`)
    return shellQuote(value)
  })
  const size = Buffer.byteLength(text, 'utf8')
  if (size > USER_DATA_LIMIT) {
    throw configError(`the rendered user-data is ${size} bytes; AWS accepts at most ${USER_DATA_LIMIT}`, {
      location: { path: 'provider.aws.userDataTemplate' },
    })
  }
  return text
}
