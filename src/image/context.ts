/** The build context as an in-memory tar stream: deterministic headers so the layer cache hits. */
import type { Readable } from 'node:stream'
import { pack } from 'tar-stream'

export interface ContextFile {
  name: string
  content: Buffer | string
  mode?: number
}

/** A fixed mtime keeps the context (and so the classic builder's COPY cache) stable across runs. */
const EPOCH = new Date(0)

export function buildContext(files: ContextFile[]): Readable {
  const tar = pack()
  for (const file of files) {
    tar.entry(
      {
        name: file.name,
        mode: file.mode ?? 0o644,
        mtime: EPOCH,
        uid: 0,
        gid: 0,
        uname: 'root',
        gname: 'root',
      },
      file.content,
    )
  }
  tar.finalize()
  return tar as unknown as Readable
}
