import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parse } from 'yaml'
import { TEMPLATES_DIR } from '../core/paths.ts'
import type { ProviderKind } from './schema.ts'

export const CI_KINDS = ['github', 'gitlab'] as const
export type CiKind = (typeof CI_KINDS)[number]

export interface InitOptions {
  service: string
  provider: ProviderKind
  ci?: CiKind
}

export interface InitFile {
  path: string
  content: string
}

const CI_PATHS: Record<CiKind, string> = {
  github: '.github/workflows/deploy.yml',
  gitlab: '.gitlab-ci.yml',
}

const template = (name: string) => readFileSync(join(TEMPLATES_DIR, name), 'utf8')
const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole)

/** A service name gwdeploy accepts, derived from a directory name. */
export function serviceNameFrom(dirName: string): string {
  const name = dirName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '')
  return name || 'gateway'
}

/** A name as a YAML value that reads back as that string: `123` (a directory name) would be a number. */
function yamlString(name: string): string {
  return typeof parse(name) === 'string' ? name : JSON.stringify(name)
}

/** The files `gwdeploy init` writes, as data (paths relative to the target directory). */
export function renderInitFiles(options: InitOptions): InitFile[] {
  const values = { service: options.service, serviceValue: yamlString(options.service) }
  const image = fill(
    template(options.provider === 'local' ? 'init/image-local.yml' : 'init/image-registry.yml'),
    values,
  )
  const provider = fill(template(`init/provider-${options.provider}.yml`), values)
  const files: InitFile[] = [
    { path: 'gwdeploy.yml', content: fill(template('init/gwdeploy.yml'), { ...values, image, provider }) },
    { path: 'gateway.json', content: fill(template('init/gateway.json'), values) },
  ]
  files.push(...providerFiles(options.provider, values))
  if (options.ci)
    files.push({ path: CI_PATHS[options.ci], content: fill(template(`ci/${options.ci}.yml`), values) })
  return files
}

/**
 * Files a provider needs next to gwdeploy.yml (e.g. haproxy/haproxy.cfg): everything under
 * templates/init/files/<provider>/, written at the same relative path.
 */
function providerFiles(provider: ProviderKind, values: Record<string, string>): InitFile[] {
  const root = join(TEMPLATES_DIR, 'init', 'files', provider)
  if (!existsSync(root)) return []
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = join(entry.parentPath, entry.name)
      return { path: relative(root, file), content: fill(readFileSync(file, 'utf8'), values) }
    })
    .sort((a, b) => a.path.localeCompare(b.path))
}
