import { execa } from 'execa'
import { usageError } from './errors.ts'

export interface ResolvedSha {
  sha: string
  /** The SHA plus `_uncommitted_<hash>` when releasing a dirty tree with --allow-dirty. */
  version: string
  dirty: boolean
}

/** --sha, else `git rev-parse HEAD`; a dirty tree is refused unless allowDirty. */
export async function resolveSha(options: {
  sha?: string | undefined
  allowDirty: boolean
  cwd: string
}): Promise<ResolvedSha> {
  if (options.sha) {
    if (!/^[0-9a-f]{7,64}$/i.test(options.sha)) {
      throw usageError(`--sha ${options.sha} is not a git commit SHA`, {
        hint: 'Pass a hex SHA, e.g. --sha $GITHUB_SHA.',
      })
    }
    const sha = options.sha.toLowerCase()
    return { sha, version: sha, dirty: false }
  }
  let head: string
  try {
    head = (await execa('git', ['rev-parse', 'HEAD'], { cwd: options.cwd })).stdout.trim()
  } catch {
    throw usageError('no --sha given and this is not a git checkout with a commit', {
      hint: 'Pass --sha <commit>, e.g. --sha $GITHUB_SHA.',
    })
  }
  const status = (await execa('git', ['status', '--porcelain'], { cwd: options.cwd })).stdout
  if (status.trim() === '') return { sha: head, version: head, dirty: false }
  if (!options.allowDirty) {
    throw usageError('the working tree has uncommitted changes', {
      hint: 'Commit them, pass --sha explicitly, or use --allow-dirty (the version gets an _uncommitted_ suffix).',
    })
  }
  const diff = (await execa('git', ['diff', 'HEAD'], { cwd: options.cwd })).stdout
  const { createHash } = await import('node:crypto')
  const hash = createHash('sha256').update(status).update(diff).digest('hex').slice(0, 12)
  return { sha: head, version: `${head}_uncommitted_${hash}`, dirty: true }
}
