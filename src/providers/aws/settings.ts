/** The aws provider's resolved settings: config + names, checked once when the provider is created. */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { AwsProviderConfig } from '../../config/providers/aws.ts'
import type { GwConfig } from '../../config/schema.ts'
import { secondsFromEnv } from '../../core/env-seconds.ts'
import { configError } from '../../core/errors.ts'
import { TEMPLATES_DIR } from '../../core/paths.ts'
import { parseRepository } from '../../image/reference.ts'
import type { Colour } from '../types.ts'
import { targetGroupName, targetKey } from './names.ts'

export type RegistryAuth = NonNullable<AwsProviderConfig['registryAuth']>

export interface AwsSettings {
  service: string
  env: string | undefined
  /** service or service-env: tagged on everything, the prefix of every name. */
  key: string
  aws: AwsProviderConfig
  /** The registry host of image.repository, and how instances log in to it. */
  registry: string
  registryAuth: RegistryAuth
  userDataTemplate: string
  /** The region known without I/O (config or environment); the instance asks IMDS otherwise. */
  region: string | undefined
  targetGroupName(colour: Colour): string
  attachPriority(colour: Colour): number
  /** Priority of the rule keeping a listener's default action from before gwdeploy. */
  originalPriority: number
  /** fleet.env: plain values and SSM / Secrets Manager references the instance resolves at boot. */
  fleetEnv: GwConfig['fleet']['env']
  /** How long one attempt of an AWS API call may wait for its answer (GWDEPLOY_AWS_API_TIMEOUT). */
  apiTimeoutMs: number
}

export const API_TIMEOUT_ENV = 'GWDEPLOY_AWS_API_TIMEOUT'
export const DEFAULT_API_TIMEOUT_S = 30

/**
 * The SDK waits forever for an answer by default: an endpoint (or proxy) that accepts the
 * connection and never answers would hold every command, and the cleanup of an interrupted run.
 */
function apiTimeoutMs(environment: NodeJS.ProcessEnv): number {
  return secondsFromEnv(API_TIMEOUT_ENV, DEFAULT_API_TIMEOUT_S, environment)
}

export function resolveSettings(
  config: GwConfig,
  dir: string,
  env: string | undefined,
  environment: NodeJS.ProcessEnv = process.env,
): AwsSettings {
  const aws = config.provider.aws
  if (!aws) throw configError('provider.aws is missing', { location: { path: 'provider.aws' } })
  if (config.smoke.length > 0 && !aws.testListenerArn && !aws.testListenerPort) {
    throw configError('smoke checks need a test listener on AWS', {
      location: { path: 'provider.aws.testListenerArn' },
      hint: 'Set provider.aws.testListenerArn (or testListenerPort): gwdeploy points it at green for the checks.',
    })
  }
  if (config.health.expectName && !aws.testListenerArn && !aws.testListenerPort) {
    throw configError('health.expectName needs a test listener on AWS', {
      location: { path: 'provider.aws.testListenerArn' },
      hint:
        'ALB health checks see status codes only and gwdeploy cannot reach instances directly, so the stamped ' +
        'name is proven through a test listener forwarding to green. Set provider.aws.testListenerArn ' +
        '(or testListenerPort), or health.expectName: false to gate on ALB target health alone.',
    })
  }
  const repository = config.image.repository
  if (!repository) throw configError('provider aws deploys images: set image.repository')
  const { registry } = parseRepository(repository)
  const registryAuth: RegistryAuth = aws.registryAuth ?? {
    type: /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(registry) ? 'ecr' : 'none',
  }
  const templateFile = aws.userDataTemplate
    ? resolve(dir, aws.userDataTemplate)
    : join(TEMPLATES_DIR, 'aws', 'user-data.yaml')
  let userDataTemplate: string
  try {
    userDataTemplate = readFileSync(templateFile, 'utf8')
  } catch (error) {
    throw configError(`cannot read the user-data template ${templateFile}: ${(error as Error).message}`, {
      location: { path: 'provider.aws.userDataTemplate' },
    })
  }
  const key = targetKey(config.service, env)
  return {
    service: config.service,
    env,
    key,
    aws,
    registry,
    registryAuth,
    userDataTemplate,
    region: aws.region ?? environment.AWS_REGION ?? environment.AWS_DEFAULT_REGION,
    targetGroupName: (colour) => targetGroupName(key, colour),
    attachPriority: (colour) => aws.lockPriority - (colour === 'blue' ? 1 : 2),
    originalPriority: aws.lockPriority - 3,
    fleetEnv: config.fleet.env,
    apiTimeoutMs: apiTimeoutMs(environment),
  }
}
