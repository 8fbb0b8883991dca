/**
 * `fleet.env` / `fleet.envFrom`: runtime settings of the gateway nodes. Plain values go through
 * the provider's normal configuration (they are not secret: they show in manifests, container
 * definitions and `--dry-run`). Secrets are references resolved where the node runs, each in the
 * store its provider has; gwdeploy never reads a secret value except for the local provider, and
 * then only to hand it to the node process.
 */
import { accessSync, constants } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

const envName = z.string().regex(ENV_NAME, 'must be an environment variable name (letters, digits, _)')
const absolutePath = z.string().min(1)

const secretsManagerArn = z
  .string()
  .regex(
    /^arn:[\w-]+:secretsmanager:[\w-]+:\d{12}:secret:[\w/+=.@-]+$/,
    'must be a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)',
  )

const ssmName = z
  .string()
  .regex(/^(arn:[\w-]+:ssm:[\w-]+:\d{12}:parameter)?\/?[\w.\-/]+$/, 'must be an SSM parameter name or ARN')

const envReferenceSchema = z.union([
  z
    .strictObject({ fromFile: absolutePath })
    .describe('local: a file on this machine; haproxy: an absolute path of a file on each Docker host.'),
  z.strictObject({ fromEnv: envName }).describe("local: a variable of gwdeploy's own environment."),
  z
    .strictObject({ ssm: ssmName })
    .describe('aws: an SSM parameter (SecureString), read by the instance role.'),
  z
    .strictObject({
      secretsManager: secretsManagerArn,
      jsonKey: z
        .string()
        .regex(/^[\w.-]+$/, 'must be a key of letters, digits, _ . -')
        .optional()
        .describe('One key of a JSON secret.'),
    })
    .describe('aws: a Secrets Manager secret, read by the instance role.'),
  z
    .strictObject({
      secretKeyRef: z.strictObject({
        name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Secret name'),
        key: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key'),
      }),
    })
    .describe('kubernetes: a key of a Secret in the namespace.'),
])

export type EnvReference = z.output<typeof envReferenceSchema>

const envValueSchema = z.union([
  z
    .union([
      z.string().regex(/^[^\r\n\0]*$/, 'must be one line (env files and user-data cannot carry line breaks)'),
      z.number(),
      z.boolean(),
    ])
    .transform((value) => String(value)),
  envReferenceSchema,
])

export type EnvValue = z.output<typeof envValueSchema>

const envFromSchema = z.union([
  z
    .strictObject({ file: absolutePath })
    .describe('local: an env file (KEY=VALUE lines) on this machine; haproxy: one on each Docker host.'),
  z.strictObject({ secret: z.string().min(1) }).describe('kubernetes: every key of a Secret (envFrom).'),
])

export type EnvFrom = z.output<typeof envFromSchema>

export const fleetEnvSchema = z
  .record(envName, envValueSchema)
  .default({})
  .describe(
    'Environment of every gateway node: plain values (not secret), or a secret reference resolved where the node runs ({fromFile} {fromEnv} on local, {fromFile} on haproxy Docker hosts, {ssm} {secretsManager} on aws, {secretKeyRef} on kubernetes). KRAKEND_* override top-level gateway config keys.',
  )

export const fleetEnvFromSchema = z
  .array(envFromSchema)
  .default([])
  .describe('Whole env files ({file}: local, haproxy) or Secrets ({secret}: kubernetes) for every node.')

export const isReference = (value: EnvValue): value is EnvReference => typeof value !== 'string'

type ReferenceKind = 'fromFile' | 'fromEnv' | 'ssm' | 'secretsManager' | 'secretKeyRef'

function referenceKind(value: EnvReference): ReferenceKind {
  if ('fromFile' in value) return 'fromFile'
  if ('fromEnv' in value) return 'fromEnv'
  if ('ssm' in value) return 'ssm'
  if ('secretsManager' in value) return 'secretsManager'
  return 'secretKeyRef'
}

/** Which references each provider resolves (haproxy: with dockerHosts). */
const REFERENCES_BY_PROVIDER: Record<string, { env: ReferenceKind[]; envFrom: Array<'file' | 'secret'> }> = {
  local: { env: ['fromFile', 'fromEnv'], envFrom: ['file'] },
  haproxy: { env: ['fromFile'], envFrom: ['file'] },
  aws: { env: ['ssm', 'secretsManager'], envFrom: [] },
  kubernetes: { env: ['secretKeyRef'], envFrom: ['secret'] },
}

/** Variables gwdeploy sets itself or that would break the release; each with what to do instead. */
function reservedVariable(name: string): string | undefined {
  if (name === 'KRAKEND_NAME')
    return 'gwdeploy stamps the config name on every release (gateway.name); the health gate checks it'
  if (name === 'KRAKEND_PORT' || name === 'KRAKEND_LISTEN_IP')
    return 'the listen port and address come from fleet.port and the provider'
  if (name.startsWith('FC_'))
    return 'gwdeploy renders flexible configuration at release time: set gateway.flexibleConfig'
  if (name.startsWith('GWDEPLOY_') || name.startsWith('GATEWAY_'))
    return 'GWDEPLOY_* and GATEWAY_* are set by gwdeploy for the runtime'
  return undefined
}

export interface FleetEnvIssue {
  path: Array<string | number>
  message: string
  hint?: string
}

/** Provider compatibility of fleet.env / fleet.envFrom (zod refinement body; paths under `fleet`). */
export function fleetEnvIssues(
  env: Record<string, EnvValue>,
  envFrom: EnvFrom[],
  provider: string,
  staticServers: boolean,
): FleetEnvIssue[] {
  const issues: FleetEnvIssue[] = []
  if (staticServers && (Object.keys(env).length > 0 || envFrom.length > 0)) {
    issues.push({
      path: Object.keys(env).length > 0 ? ['env'] : ['envFrom'],
      message: 'provider.haproxy.servers nodes are run elsewhere: gwdeploy cannot give them an environment',
      hint: 'Set the environment where those nodes are started, or use provider.haproxy.dockerHosts.',
    })
    return issues
  }
  const allowed = REFERENCES_BY_PROVIDER[provider] ?? { env: [], envFrom: [] }
  for (const [name, value] of Object.entries(env)) {
    const reserved = reservedVariable(name)
    if (reserved)
      issues.push({ path: ['env', name], message: `${name} cannot be set in fleet.env: ${reserved}` })
    if (!isReference(value)) continue
    const kind = referenceKind(value)
    if (!allowed.env.includes(kind))
      issues.push({
        path: ['env', name, kind],
        message: `a ${kind} reference is not resolved by provider "${provider}"`,
        hint: `On ${provider} use ${allowed.env.map((k) => `{${k}}`).join(' or ')}, or a plain value.`,
      })
    if (
      kind === 'fromFile' &&
      provider === 'haproxy' &&
      !(value as { fromFile: string }).fromFile.startsWith('/')
    )
      issues.push({
        path: ['env', name, 'fromFile'],
        message: 'must be an absolute path on the Docker host',
      })
  }
  envFrom.forEach((entry, index) => {
    const kind = 'file' in entry ? 'file' : 'secret'
    if (!allowed.envFrom.includes(kind))
      issues.push({
        path: ['envFrom', index, kind],
        message: `envFrom ${kind} is not supported by provider "${provider}"`,
        hint: allowed.envFrom.length
          ? `On ${provider} use ${allowed.envFrom.map((k) => `{${k}}`).join(' or ')}.`
          : `On ${provider} list each variable in fleet.env.`,
      })
    if (kind === 'file' && provider === 'haproxy' && !(entry as { file: string }).file.startsWith('/'))
      issues.push({
        path: ['envFrom', index, 'file'],
        message: 'must be an absolute path on the Docker host',
      })
  })
  return issues
}

/** KrakenD's environment overrides as the runtime applies them (gateway/config/env-overrides.ts). */
export type ApplyKrakendEnv = (
  document: unknown,
  environ: Record<string, string | undefined>,
) => { problems: Array<{ message: string; hint?: string | undefined }> }

/**
 * What the nodes would refuse only when they start, found before anything runs (paths under
 * `fleet`): with the local provider, a `fromEnv` variable that is not set or a `fromFile` /
 * `envFrom.file` that cannot be read here; on every provider, a plain `KRAKEND_*` value the
 * runtime cannot decode (`KRAKEND_PORT: x`) and a `KRAKEND_*` that would replace an object key
 * (`KRAKEND_ENDPOINTS`) whatever its value. Never reads more than it must, never reports a value.
 */
export function fleetEnvStartProblems(
  fleet: { env: Record<string, EnvValue>; envFrom: EnvFrom[] },
  options: {
    provider: string
    dir: string
    environ?: NodeJS.ProcessEnv
    applyKrakendEnv?: ApplyKrakendEnv | undefined
  },
): FleetEnvIssue[] {
  const issues: FleetEnvIssue[] = []
  if (options.provider === 'local') issues.push(...localSecretProblems(fleet, options))
  if (options.applyKrakendEnv) {
    for (const [name, value] of Object.entries(fleet.env)) {
      if (!name.startsWith('KRAKEND_')) continue
      // A secret's value is not read here: "" passes every scalar kind, so only object keys fail.
      const { problems } = options.applyKrakendEnv({}, { [name]: isReference(value) ? '' : value })
      for (const problem of problems)
        issues.push({
          path: ['env', name],
          message: problem.message,
          hint: problem.hint ?? `Fix or remove ${name} in fleet.env.`,
        })
    }
  }
  return issues
}

/** fleet.env names a KRAKEND_* variable: the runtime's override rules have something to check. */
export const setsKrakendEnv = (env: Record<string, EnvValue>) =>
  Object.keys(env).some((name) => name.startsWith('KRAKEND_'))

function localSecretProblems(
  fleet: { env: Record<string, EnvValue>; envFrom: EnvFrom[] },
  options: { dir: string; environ?: NodeJS.ProcessEnv },
): FleetEnvIssue[] {
  const environ = options.environ ?? process.env
  const issues: FleetEnvIssue[] = []
  const unreadable = (path: string) => {
    try {
      accessSync(resolve(options.dir, path), constants.R_OK)
      return undefined
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? 'error'
    }
  }
  fleet.envFrom.forEach((entry, index) => {
    if (!('file' in entry)) return
    const code = unreadable(entry.file)
    if (code)
      issues.push({
        path: ['envFrom', index, 'file'],
        message: `${entry.file} cannot be read (${code})`,
        hint: 'Point it at an existing file gwdeploy can read. Nothing was changed.',
      })
  })
  for (const [name, value] of Object.entries(fleet.env)) {
    if (!isReference(value)) continue
    if ('fromEnv' in value && environ[value.fromEnv] === undefined)
      issues.push({
        path: ['env', name, 'fromEnv'],
        message: `environment variable ${value.fromEnv} is not set`,
        hint: `Export ${value.fromEnv} in the job that runs gwdeploy. Nothing was changed.`,
      })
    if ('fromFile' in value) {
      const code = unreadable(value.fromFile)
      if (code)
        issues.push({
          path: ['env', name, 'fromFile'],
          message: `${value.fromFile} cannot be read (${code})`,
          hint: 'Point it at an existing file gwdeploy can read. Nothing was changed.',
        })
    }
  }
  return issues
}
