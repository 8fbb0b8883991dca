/**
 * A second working copy of a project, as a fresh CI runner has it: gwdeploy.yml and gateway.json
 * (plus named credential files such as a kubeconfig), no .gwdeploy/ state or cache.
 */
import { copyFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from './files.ts'

export async function secondCopy(dir: string, credentials: string[] = []): Promise<string> {
  const copy = tempDir('gwd-copy-')
  for (const name of ['gwdeploy.yml', 'gateway.json', ...credentials]) {
    await copyFile(join(dir, name), join(copy, name))
  }
  const files = await readdir(copy)
  if (files.includes('.gwdeploy')) throw new Error('the second copy must not have a state directory')
  return copy
}
