/**
 * A second working copy of a project, as a fresh CI runner has it: gwdeploy.yml and gateway.json
 * (plus named credential files such as a kubeconfig), no .gwdeploy/ state or cache.
 */
import { copyFile, mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export async function secondCopy(dir: string, credentials: string[] = []): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'gwd-copy-'))
  for (const name of ['gwdeploy.yml', 'gateway.json', ...credentials]) {
    await copyFile(join(dir, name), join(copy, name))
  }
  const files = await readdir(copy)
  if (files.includes('.gwdeploy')) throw new Error('the second copy must not have a state directory')
  return copy
}
