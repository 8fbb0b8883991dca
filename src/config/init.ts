import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { usageError } from '../core/errors.ts'
import { type CiKind, renderInitFiles, serviceNameFrom } from './init-files.ts'
import type { ProviderKind } from './schema.ts'

export interface InitResult {
  written: string[]
  service: string
  provider: ProviderKind
}

export function initProject(options: {
  dir: string
  provider: ProviderKind
  ci?: CiKind | undefined
  service?: string | undefined
  force?: boolean
}): InitResult {
  const service = options.service ?? serviceNameFrom(basename(options.dir))
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(service)) {
    throw usageError(`service name "${service}" is not valid`, {
      hint: 'Use lowercase letters, digits and dashes (max 63), e.g. --service payments-gateway.',
    })
  }
  const files = renderInitFiles({
    service,
    provider: options.provider,
    ...(options.ci ? { ci: options.ci } : {}),
  })
  const existing = files.filter((file) => existsSync(join(options.dir, file.path))).map((file) => file.path)
  if (existing.length > 0 && !options.force) {
    throw usageError(
      `${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written`,
      {
        hint: 'Pass --force to overwrite them, or run init in another directory.',
      },
    )
  }
  for (const file of files) {
    const path = join(options.dir, file.path)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, file.content)
  }
  const written = files.map((file) => file.path)
  if (ignoreStateDir(options.dir)) written.push('.gitignore')
  return { written, service, provider: options.provider }
}

/**
 * gwdeploy keeps its state (lock, history, local nodes) in `.gwdeploy/`: it is never part of the
 * commit, so init adds it to .gitignore (creating the file when missing). Returns whether it wrote.
 */
function ignoreStateDir(dir: string, entry = '.gwdeploy/'): boolean {
  const file = join(dir, '.gitignore')
  const current = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const lines = current.split('\n').map((line) => line.trim())
  if (lines.includes(entry) || lines.includes(entry.replace(/\/$/, '')) || lines.includes(`/${entry}`))
    return false
  const prefix = current === '' || current.endsWith('\n') ? '' : '\n'
  appendFileSync(file, `${prefix}# gwdeploy state (locks, history, local nodes)\n${entry}\n`)
  return true
}
