import { z } from 'zod'
import { duration, durationAtLeast, longDuration } from './duration.ts'
import { fleetEnvFromSchema, fleetEnvIssues, fleetEnvSchema } from './fleet-env.ts'
import { notifySchema } from './notify.ts'
import { awsProviderSchema } from './providers/aws.ts'
import { haproxyProviderSchema } from './providers/haproxy.ts'
import { kubernetesProviderSchema } from './providers/kubernetes.ts'
import { localProviderSchema } from './providers/local.ts'

export const PROVIDER_KINDS = ['local', 'haproxy', 'aws', 'kubernetes'] as const
export type ProviderKind = (typeof PROVIDER_KINDS)[number]

const NAME_PLACEHOLDERS = ['sha', 'sha7', 'service', 'env'] as const

const nameTemplate = z
  .string()
  .min(1)
  .refine(
    (template) =>
      [...template.matchAll(/\{([^}]*)\}/g)].every((m) =>
        (NAME_PLACEHOLDERS as readonly string[]).includes(m[1] ?? ''),
      ),
    {
      message: `unknown placeholder; use ${NAME_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
    },
  )

const httpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

const urlPath = z.string().startsWith('/', 'must start with /')

const gatewaySchema = z
  .strictObject({
    config: z
      .string()
      .default('gateway.json')
      .describe('Path of the KrakenD v3 gateway config, relative to gwdeploy.yml.'),
    name: nameTemplate
      .default('{service} rev-{sha7}')
      .describe('Template for the config `name` stamped on each release: {sha} {sha7} {service} {env}.'),
    flexibleConfig: z
      .strictObject({
        settings: z.string().optional().describe('Directory of *.json settings files (FC_SETTINGS).'),
        partials: z.string().optional().describe('Directory `include` reads from (FC_PARTIALS).'),
        templates: z.string().optional().describe('Directory of *.tmpl sub-templates (FC_TEMPLATES).'),
      })
      .optional()
      .describe(
        'gateway.config is a KrakenD flexible-config template: rendered at release time (paths relative to gwdeploy.yml); {{ env "X" }} reads fleet.env, and a secret reference stays {{env `X`}} for the node to fill in at start.',
      ),
  })
  .describe('The gateway configuration that each release stamps and ships.')

const imageSchema = z
  .strictObject({
    repository: z
      .string()
      .regex(
        /^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
        'must be a lowercase image repository like registry.example.com/team/gateway',
      )
      .optional()
      .describe('Image repository (without tag); required by image-based providers.'),
    base: z
      .string()
      .default('node:24-slim')
      .describe('Base image for the bundled runtime (or the KrakenD image for runtime: krakend).'),
    runtime: z
      .enum(['bundled', 'krakend'])
      .default('bundled')
      .describe('bundled: our gateway runtime; krakend: the official KrakenD image.'),
    push: z.boolean().default(true).describe('Push the image to its registry after building.'),
  })
  .describe(
    'How release images are built. Registry credentials never go here: Docker config or GWDEPLOY_REGISTRY_USER/PASSWORD.',
  )

const fleetSchema = z
  .strictObject({
    size: z.number().int().min(1).max(500).default(2).describe('Number of gateway nodes per colour.'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(8080)
      .describe('Port the gateway listens on inside each node.'),
    env: fleetEnvSchema,
    envFrom: fleetEnvFromSchema,
  })
  .describe('The fleet of gateway nodes each colour runs.')

const healthSchema = z
  .strictObject({
    path: urlPath.default('/__health'),
    interval: duration.prefault('1s').describe('Time between checks of one node.'),
    timeout: duration.prefault('2s').describe('Timeout of one check.'),
    rise: z.number().int().min(1).max(100).default(2).describe('Consecutive successes a node needs.'),
    deadline: durationAtLeast(1_000, 'The whole green fleet must have time to answer its checks.')
      .prefault('60s')
      .describe('Time all green nodes have to pass.'),
    expectName: z.boolean().default(true).describe('The node must report the stamped config name.'),
  })
  .describe('The health gate every green node must pass before it gets traffic.')

const smokeCheckSchema = z.strictObject({
  name: z.string().optional(),
  method: httpMethod.default('GET'),
  path: urlPath,
  status: z.number().int().min(100).max(599).default(200),
  bodyContains: z.string().optional().describe('A fragment the response body must contain.'),
  headers: z.record(z.string(), z.string()).default({}),
})

const shiftSchema = z
  .strictObject({
    strategy: z.enum(['all-at-once', 'steps']).default('all-at-once'),
    steps: z
      .array(z.number().int().min(1).max(100))
      .min(1)
      .refine(
        (steps) => steps.every((s, i) => i === 0 || s > (steps[i - 1] as number)),
        'steps must increase',
      )
      .refine((steps) => steps.at(-1) === 100, 'the last step must be 100')
      .default([10, 50, 100])
      .describe('Percentages of traffic on green, used by strategy: steps.'),
    bake: duration.prefault(0).describe('How long green is watched after each step (and after 100%).'),
    keep: longDuration
      .prefault('30m')
      .describe('How long blue stays up as "previous" for an instant rollback.'),
    maxErrorRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe('Error ratio on green that fails the bake.'),
  })
  .describe('How traffic moves from blue to green.')

const hookList = z.array(z.string().min(1)).default([])

const hooksSchema = z
  .strictObject({
    preRelease: hookList.describe('Shell commands run before anything is provisioned; a failure aborts.'),
    postRelease: hookList.describe('Shell commands run after a successful release.'),
    onFailure: hookList.describe('Shell commands run when a release fails.'),
  })
  .describe(
    'Shell commands with GWDEPLOY_SHA, GWDEPLOY_SHA7, GWDEPLOY_COLOR, GWDEPLOY_PREVIOUS_SHA, GWDEPLOY_SERVICE, GWDEPLOY_ENV.',
  )

const lockSchema = z
  .strictObject({
    ttl: durationAtLeast(
      1_000,
      'The lock is renewed every third of its TTL; a shorter one expires while held and lets two releases run at once.',
    )
      .prefault('10m')
      .describe('A lock not renewed for this long is considered abandoned.'),
  })
  .describe('The per-target release lock.')

/** A floor for the audit trail; the live release and the one before it are kept whatever the number. */
const MIN_RECORDS_KEPT = 5

const recordsSchema = z
  .strictObject({
    keep: z
      .number()
      .int()
      .min(MIN_RECORDS_KEPT)
      .max(10_000)
      .default(200)
      .describe(
        'Operations recorded on the target that are kept, at least 5 (a destroy or retire counts once: its intent record goes with its outcome); older records are deleted after each release, rollback, retire or destroy, but never the live release, the one `rollback` goes back to, or any record since that one went live, within the newest 500. `rollback --to` reaches only SHAs still recorded.',
      ),
  })
  .describe('The release records gwdeploy keeps on the target (history, status, rollback --to).')

const providerSchema = z
  .strictObject({
    kind: z.enum(PROVIDER_KINDS).default('local'),
    local: localProviderSchema.prefault({}),
    haproxy: haproxyProviderSchema.optional(),
    aws: awsProviderSchema.optional(),
    kubernetes: kubernetesProviderSchema.optional(),
  })
  .superRefine((provider, ctx) => {
    if (provider.kind !== 'local' && provider[provider.kind] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [provider.kind],
        message: `provider.kind is "${provider.kind}" but there is no provider.${provider.kind} section`,
        params: {
          hint: `Add a provider.${provider.kind} section (gwdeploy init --provider ${provider.kind} writes an example).`,
        },
      })
    }
  })
  .describe('Where the fleet runs and what shifts traffic.')

export const gwConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    service: z
      .string()
      .regex(
        /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
        'must be lowercase letters, digits and dashes (max 63), like "payments-gateway"',
      )
      .describe('The service name: used in resource names, labels and the default config name.'),
    gateway: gatewaySchema.prefault({}),
    image: imageSchema.prefault({}),
    fleet: fleetSchema.prefault({}),
    health: healthSchema.prefault({}),
    smoke: z
      .array(smokeCheckSchema)
      .default([])
      .describe('Checks sent through the preview route before traffic shifts.'),
    shift: shiftSchema.prefault({}),
    hooks: hooksSchema.prefault({}),
    lock: lockSchema.prefault({}),
    notify: notifySchema.prefault({}),
    records: recordsSchema.prefault({}),
    provider: providerSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const staticServers = config.provider.kind === 'haproxy' && config.provider.haproxy?.servers !== undefined
    for (const issue of fleetEnvIssues(
      config.fleet.env,
      config.fleet.envFrom,
      config.provider.kind,
      staticServers,
    ))
      ctx.addIssue({
        code: 'custom',
        path: ['fleet', ...issue.path],
        message: issue.message,
        ...(issue.hint ? { params: { hint: issue.hint } } : {}),
      })
    // haproxy in `servers` mode moves traffic between nodes managed elsewhere: no image.
    const deploysImages =
      config.provider.kind !== 'local' &&
      !(config.provider.kind === 'haproxy' && config.provider.haproxy?.servers)
    if (deploysImages && !config.image.repository) {
      ctx.addIssue({
        code: 'custom',
        path: ['image', 'repository'],
        message: `provider "${config.provider.kind}" deploys images: image.repository is required`,
        params: { hint: 'Set image.repository, e.g. registry.example.com/team/gateway.' },
      })
    }
  })
  .describe('gwdeploy.yml: how gwdeploy builds and releases a gateway fleet.')

/** The resolved configuration: defaults applied, durations in milliseconds. */
export type GwConfig = z.output<typeof gwConfigSchema>
/** What a user writes in gwdeploy.yml. */
export type GwConfigInput = z.input<typeof gwConfigSchema>
