/**
 * fleet.env references on aws are read by the instances at boot, with their role: a reference to
 * nothing would only show as a fleet failing its health gate. So before anything is created the
 * provider looks every referenced SSM parameter and Secrets Manager secret up — metadata only
 * (DescribeParameters, DescribeSecret): gwdeploy never reads, prints or records a secret value.
 * The SDKs are imported only when fleet.env has references.
 */
import type { SSMClient } from '@aws-sdk/client-ssm'
import type { EnvValue } from '../../config/fleet-env.ts'
import { configError, type Problem } from '../../core/errors.ts'
import { awsErrorName, call, sdkClientConfig, stoppable, timeoutsTriedTwice } from './clients.ts'
import type { AwsSettings } from './settings.ts'

export type AwsReference =
  | { variable: string; kind: 'ssm'; reference: string }
  | { variable: string; kind: 'secretsManager'; reference: string }

/** The ssm / secretsManager references of fleet.env, by variable name (sorted). */
export function awsReferences(env: Record<string, EnvValue>): AwsReference[] {
  const refs: AwsReference[] = []
  for (const [variable, value] of Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (typeof value === 'string') continue
    if ('ssm' in value) refs.push({ variable, kind: 'ssm', reference: value.ssm })
    else if ('secretsManager' in value)
      refs.push({ variable, kind: 'secretsManager', reference: value.secretsManager })
  }
  return refs
}

/** The region of an ARN (`arn:PARTITION:SERVICE:REGION:...`), undefined for a plain name. */
export const arnRegion = (reference: string): string | undefined =>
  reference.startsWith('arn:') ? reference.split(':')[3] : undefined

/**
 * The parameter names an SSM reference may stand for, for DescribeParameters' Name filter (which
 * takes names, not ARNs): `arn:…:parameter/a/b` is `/a/b`; `arn:…:parameter/a` is `a` or `/a`.
 */
export function ssmNames(reference: string): string[] {
  if (!reference.startsWith('arn:')) return [reference]
  const path = reference.slice(reference.indexOf(':parameter') + ':parameter'.length)
  const rest = path.replace(/^\//, '')
  return rest.includes('/') ? [path] : [rest, `/${rest}`]
}

const keyPath = (ref: AwsReference) => `fleet.env.${ref.variable}.${ref.kind}`

const what = (ref: AwsReference) =>
  ref.kind === 'ssm' ? `SSM parameter ${ref.reference}` : `Secrets Manager secret ${ref.reference}`

/** Throws a configError (exit 2) naming each fleet.env reference that does not exist; API failures are exit 6. */
export async function checkSecretReferences(settings: AwsSettings): Promise<void> {
  const refs = awsReferences(settings.fleetEnv)
  if (!refs.length) return
  const clients = await secretClients(settings, refs)
  try {
    await check(refs, settings.region ?? (await clients.region()), clients)
  } finally {
    clients.close()
  }
}

async function check(refs: AwsReference[], region: string, clients: SecretClients): Promise<void> {
  const problems: Problem[] = []
  const problem = (ref: AwsReference, message: string) =>
    problems.push({
      message: `${what(ref)} ${message}`,
      location: { file: 'gwdeploy.yml', path: keyPath(ref) },
    })
  await Promise.all(
    refs.map(async (ref) => {
      const elsewhere = arnRegion(ref.reference)
      if (elsewhere && elsewhere !== region)
        return problem(
          ref,
          `is in ${elsewhere}, but the instances read it in ${region} (provider.aws.region)`,
        )
      const found = ref.kind === 'ssm' ? await clients.parameterExists(ref) : await clients.secretState(ref)
      if (found === 'missing') problem(ref, `does not exist in ${region}`)
      else if (found === 'deleted') problem(ref, `is scheduled for deletion in ${region}`)
    }),
  )
  if (!problems.length) return
  problems.sort((a, b) => (a.location?.path ?? '').localeCompare(b.location?.path ?? ''))
  const [first] = problems as [Problem]
  throw configError(
    problems.length === 1
      ? first.message
      : `${problems.length} fleet.env secret references do not resolve: the instances could not start`,
    {
      ...(problems.length === 1 ? { location: first.location } : { problems }),
      hint:
        'Create them (aws ssm put-parameter --type SecureString, aws secretsmanager create-secret) in the ' +
        "instances' region and account, or fix the references in gwdeploy.yml. Nothing was created.",
    },
  )
}

interface SecretClients {
  region(): Promise<string>
  close(): void
  parameterExists(ref: AwsReference): Promise<'found' | 'missing'>
  secretState(ref: AwsReference): Promise<'found' | 'missing' | 'deleted'>
}

async function secretClients(settings: AwsSettings, refs: AwsReference[]): Promise<SecretClients> {
  const common = sdkClientConfig(settings)
  const ssmSdk = await import('@aws-sdk/client-ssm')
  const ssm: SSMClient = stoppable(timeoutsTriedTwice(new ssmSdk.SSMClient(common)))
  const smSdk = refs.some((r) => r.kind === 'secretsManager')
    ? await import('@aws-sdk/client-secrets-manager')
    : undefined
  const sm = smSdk ? stoppable(timeoutsTriedTwice(new smSdk.SecretsManagerClient(common))) : undefined
  return {
    region: async () => ssm.config.region(),
    close() {
      ssm.destroy()
      sm?.destroy()
    },
    async parameterExists(ref) {
      const answer = await call(`DescribeParameters (${keyPath(ref)})`, () =>
        ssm.send(
          new ssmSdk.DescribeParametersCommand({
            ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ssmNames(ref.reference) }],
          }),
        ),
      )
      return answer.Parameters?.length ? 'found' : 'missing'
    },
    async secretState(ref) {
      if (!sm || !smSdk) return 'missing'
      try {
        const answer = await sm.send(new smSdk.DescribeSecretCommand({ SecretId: ref.reference }))
        return answer.DeletedDate ? 'deleted' : 'found'
      } catch (error) {
        if (awsErrorName(error) === 'ResourceNotFoundException') return 'missing'
        return call(`DescribeSecret (${keyPath(ref)})`, () => Promise.reject(error))
      }
    },
  }
}
