import { isAbsolute, relative, resolve as resolvePath } from 'node:path'
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
  /** Excluded from the dirty-tree check. */
  stateDir?: string
}): Promise<ResolvedSha> {
  if (options.sha !== undefined) {
    const given = options.sha.trim()
    if (given === '') {
      throw usageError('--sha is empty', {
        hint: 'Is the variable you passed set? e.g. --sha "$GITHUB_SHA". Leave --sha out to release git HEAD.',
      })
    }
    if (/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(given)) {
      const sha = given.toLowerCase()
      return { sha, version: sha, dirty: false }
    }
    if (/^[0-9a-f]{4,39}$/i.test(given)) {
      // A short SHA names a commit only in a repository: resolve it there, never guess.
      const full = await execa('git', ['rev-parse', '--verify', '--quiet', `${given}^{commit}`], {
        cwd: options.cwd,
        reject: false,
      })
      const sha = full.exitCode === 0 ? full.stdout.trim() : ''
      if (/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) return { sha, version: sha, dirty: false }
      throw usageError(`--sha ${given} is not a full SHA and names no commit of the git repository here`, {
        hint: 'Pass the full 40-character SHA (or 64 for SHA-256 repositories), e.g. --sha $GITHUB_SHA.',
      })
    }
    throw usageError(`--sha ${given} is not a git commit SHA`, {
      hint: 'Pass the full 40-character hex SHA (or 64), e.g. --sha $GITHUB_SHA.',
    })
  }
  let head: string
  try {
    head = (await execa('git', ['rev-parse', 'HEAD'], { cwd: options.cwd })).stdout.trim()
  } catch {
    throw usageError('no --sha given and this is not a git checkout with a commit', {
      hint: 'Pass --sha <commit>, e.g. --sha $GITHUB_SHA.',
    })
  }
  // gwdeploy's own state directory (locks, history, local nodes) is never "an uncommitted change".
  const exclude = options.stateDir ? relative(options.cwd, options.stateDir) : ''
  const pathspec =
    exclude && !exclude.startsWith('..') && !isAbsolute(exclude)
      ? ['--', ':(top)', `:(exclude)${exclude}`]
      : []
  const status = (await execa('git', ['status', '--porcelain', ...pathspec], { cwd: options.cwd })).stdout
  if (status.trim() === '') return { sha: head, version: head, dirty: false }
  if (!options.allowDirty) {
    throw usageError(`the working tree has uncommitted changes: ${changedPaths(status)}`, {
      // Not "pass --sha": a commit is refused too while a file the release reads differs from it.
      hint: 'Commit them and release the new commit, or use --allow-dirty (the version gets an _uncommitted_ suffix).',
    })
  }
  const hash = await dirtyHash(options.cwd, status, pathspec)
  return { sha: head, version: `${head}_uncommitted_${hash}`, dirty: true }
}

/** The first paths `git status --porcelain` lists (relative to the repository's top), for the message. */
function changedPaths(status: string): string {
  const paths = status
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3))
  const shown = paths.slice(0, 5).join(', ')
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more (git status lists them)` : shown
}

/**
 * What identifies a dirty tree: `git status`, the diff against HEAD (binary too) and the names and
 * contents of untracked files (not ignored ones, not gwdeploy's state dir). Same tree, same hash.
 */
async function dirtyHash(cwd: string, status: string, pathspec: string[]): Promise<string> {
  const { createHash } = await import('node:crypto')
  const { lstat, readFile, readlink } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const hash = createHash('sha256').update(status)
  const diff = await execa('git', ['diff', '--binary', 'HEAD', ...pathspec], { cwd, encoding: 'buffer' })
  hash.update(diff.stdout)
  const top = (await execa('git', ['rev-parse', '--show-toplevel'], { cwd })).stdout.trim()
  const untracked = (
    await execa('git', ['ls-files', '-z', '--others', '--exclude-standard', '--full-name', ...pathspec], {
      cwd,
    })
  ).stdout
    .split('\0')
    .filter(Boolean)
    .sort()
  for (const name of untracked) {
    hash.update(`\0${name}\0`)
    const file = join(top, name)
    try {
      const stats = await lstat(file)
      // Only regular files are read (a FIFO would block); a symlink counts by its target.
      if (stats.isFile()) hash.update(await readFile(file))
      else if (stats.isSymbolicLink()) hash.update(await readlink(file))
    } catch {
      // removed while we hash: its name still counts
    }
  }
  return hash.digest('hex').slice(0, 12)
}

/**
 * With an explicit `--sha`, the release stamps the working tree's gateway config under that SHA's
 * name: it must be what the commit holds. When the repository here knows the commit, every file
 * the stamp reads (`files`) and every directory it reads (`dirs`: flexible-config settings,
 * partials, templates) is compared with the commit's content. Returns the first file that
 * differs (relative to `cwd`), or undefined when all match — or when there is no repository or it
 * does not know the commit (nothing to compare with). Files outside the repository or ignored by
 * git (a certificate kept out of it) are not compared.
 */
export async function differsFromCommit(options: {
  cwd: string
  sha: string
  files: string[]
  dirs: string[]
}): Promise<string | undefined> {
  const git = (args: string[]) => execa('git', args, { cwd: options.cwd, reject: false })
  const known = await git(['cat-file', '-e', `${options.sha}^{commit}`])
  if (known.exitCode !== 0) return undefined
  const top = (await git(['rev-parse', '--show-toplevel'])).stdout
  if (typeof top !== 'string' || top.trim() === '') return undefined
  const inRepo = (path: string) => {
    const rel = relative(top.trim(), path)
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : undefined
  }
  for (const file of options.files) {
    const rel = inRepo(file)
    if (!rel) continue
    if ((await git(['cat-file', '-e', `${options.sha}:${rel}`])).exitCode !== 0) {
      // Not in the commit: an ignored file is deliberately kept out of git; anything else is new.
      if ((await git(['check-ignore', '-q', '--', file])).exitCode === 0) continue
      return relative(options.cwd, file) || file
    }
    // git's own comparison: the file as `git add` would store it (line endings, clean filters).
    if ((await git(['diff', '--quiet', options.sha, '--', `:(top)${rel}`])).exitCode !== 0)
      return relative(options.cwd, file) || file
  }
  for (const dir of options.dirs) {
    const rel = inRepo(dir)
    if (!rel) continue
    const changed = await git(['diff', '--name-only', options.sha, '--', `:(top)${rel}`])
    const untracked = await git([
      'ls-files',
      '--others',
      '--exclude-standard',
      '--full-name',
      '--',
      `:(top)${rel}`,
    ])
    const first = `${changed.stdout}\n${untracked.stdout}`.split('\n').find((line) => line.trim() !== '')
    if (first) return relative(options.cwd, resolvePath(top.trim(), first)) || first
  }
  return undefined
}
