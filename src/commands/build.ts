import { Flags } from '@oclif/core'
import { BaseCommand, type RunContext } from '../cli/base-command.ts'
import { configFlags } from '../cli/flags.ts'
import { configError } from '../core/errors.ts'
import { step } from '../core/events.ts'
import type { ImageBuildResult } from '../image/build.ts'

export default class Build extends BaseCommand<typeof Build, ImageBuildResult> {
  static override summary = 'Stamp the gateway config and build the immutable image <repository>:<sha7>'
  static override description =
    `Stamps the gateway config's name (gateway.name template), validates it, bundles the gateway
runtime and builds the image with the Docker engine from DOCKER_HOST. A tag that already
exists with the same config digest is reused; with a different digest the build is refused
(exit 2). With --push (or image.push) the image is pushed and its digest printed.
Registry credentials: Docker config (auths, credHelpers, credsStore) or
GWDEPLOY_REGISTRY_USER / GWDEPLOY_REGISTRY_PASSWORD.`
  static override examples = ['<%= config.bin %> build --sha "$(git rev-parse HEAD)" --push']
  static override flags = {
    ...configFlags,
    sha: Flags.string({ description: 'Commit SHA being built (full SHA).', required: true }),
    push: Flags.boolean({
      description: 'Push to the registry after building (default: image.push).',
      allowNo: true,
    }),
  }

  protected async execute(context: RunContext): Promise<ImageBuildResult> {
    const [{ loadConfig, resolveConfigPath }, { buildImage }, { releaseFlexibleConfig }] = await Promise.all([
      import('../config/load.ts'),
      import('../image/build.ts'),
      import('../core/artifacts.ts'),
    ])
    const loaded = loadConfig({ file: this.flags.config, env: this.flags.env })
    const { config } = loaded
    const repository = config.image.repository
    if (!repository) {
      throw configError('image.repository is not set: there is nothing to tag the image as', {
        location: { file: loaded.files[0] ?? 'gwdeploy.yml', path: 'image.repository' },
        hint: 'Set image.repository, e.g. registry.example.com/team/gateway.',
      })
    }
    const push = this.flags.push ?? config.image.push
    return step(context.reporter, 'build', () =>
      buildImage(
        {
          service: config.service,
          sha: this.flags.sha,
          env: loaded.env,
          flexible: releaseFlexibleConfig(config, loaded.dir),
          gatewayConfig: resolveConfigPath(loaded, config.gateway.config),
          nameTemplate: config.gateway.name,
          repository,
          base: config.image.base,
          runtime: config.image.runtime,
          port: config.fleet.port,
          push,
        },
        { reporter: context.reporter, signal: context.signal },
      ),
    )
  }

  protected override render(result: ImageBuildResult): string {
    const lines = [
      `${result.reference}  ${result.reused ? `already built (reused from ${result.reused === 'local' ? 'the local engine' : 'the registry'})` : 'built'}`,
      `  config  ${result.configName}  ${result.configDigest}`,
    ]
    if (result.imageId) lines.push(`  image   ${result.imageId}`)
    if (result.digest) lines.push(`  digest  ${result.digest}${result.pushed ? '  (pushed)' : ''}`)
    return lines.join('\n')
  }
}
