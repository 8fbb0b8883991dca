// moto's Lambda running real functions: moto starts each Invoke in a container of the test dockerd
// (moto/awslambda/models.py _invoke_lambda): `busybox` fills the code volume, and the runtime's
// image `ghcr.io/shogo82148/lambda-nodejs:<version>` runs `<handler> <event JSON>`, its last stdout
// line the answer, a non-zero exit a function error. No registry is reachable here, so both are
// built FROM the test base image (node only): a `sleep` for busybox, a handler runner for the runtime.

import type { Readable } from 'node:stream'
import { crc32, deflateRawSync } from 'node:zlib'
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { pack } from 'tar-stream'
import { readJsonStream } from '../../src/image/docker.ts'
import { testDocker } from '../helpers/docker.ts'
import { type MotoInfo, requireBaseImage } from '../helpers/services.ts'

/** moto's runtime for these functions and the image it asks the daemon for. */
export const LAMBDA_RUNTIME = 'nodejs24.x'
const RUNTIME_IMAGE = 'ghcr.io/shogo82148/lambda-nodejs:24.x'
const BUSYBOX_IMAGE = 'busybox:latest'

const SLEEP = `#!/usr/local/bin/node
setTimeout(() => {}, Number(process.argv[2] ?? 1) * 1000)
`
const RUNNER = `// <handler> <event JSON>: the handler's answer as the last stdout line; a throw exits 1.
const [handler, event] = process.argv.slice(2)
const dot = handler.lastIndexOf('.')
const mod = await import('/var/task/' + handler.slice(0, dot) + '.mjs')
try {
  const out = await mod[handler.slice(dot + 1)](JSON.parse(event))
  process.stdout.write('\\n' + (typeof out === 'string' ? out : JSON.stringify(out)) + '\\n')
} catch (e) {
  process.stdout.write('\\n' + JSON.stringify({ errorMessage: String(e?.message ?? e), errorType: e?.name ?? 'Error' }) + '\\n')
  process.exitCode = 1
}
`

/** Builds the two images moto runs (once per daemon: an existing tag is kept). */
export async function requireLambdaImages(): Promise<void> {
  const base = await requireBaseImage()
  const { docker } = await testDocker()
  const build = async (tag: string, file: string, body: string, mode: number, extra: string) => {
    try {
      await docker.getImage(tag).inspect()
      return
    } catch {}
    const tar = pack()
    tar.entry({ name: 'Dockerfile' }, `FROM ${base}\nCOPY ${file} /usr/local/${extra}\n`)
    tar.entry({ name: file, mode }, body)
    tar.finalize()
    const stream = (await docker.buildImage(tar as unknown as Readable, { t: tag })) as unknown as Readable
    await readJsonStream(stream, () => {})
  }
  await build(BUSYBOX_IMAGE, 'sleep', SLEEP, 0o755, 'bin/sleep')
  // The runner's ENTRYPOINT: a second Dockerfile line.
  try {
    await docker.getImage(RUNTIME_IMAGE).inspect()
  } catch {
    const tar = pack()
    tar.entry(
      { name: 'Dockerfile' },
      `FROM ${base}\nCOPY runner.mjs /usr/local/lib/lambda-runner.mjs\nENTRYPOINT ["/usr/local/bin/node", "/usr/local/lib/lambda-runner.mjs"]\n`,
    )
    tar.entry({ name: 'runner.mjs' }, RUNNER)
    tar.finalize()
    const stream = (await docker.buildImage(tar as unknown as Readable, {
      t: RUNTIME_IMAGE,
    })) as unknown as Readable
    await readJsonStream(stream, () => {})
  }
}

/** An IAM role moto lets Lambda assume (moto checks the role exists). */
async function createRole(moto: MotoInfo, name: string): Promise<string> {
  const res = await fetch(`${moto.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${moto.credentials.accessKeyId}/20260101/${moto.region}/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: name,
      AssumeRolePolicyDocument: '{}',
    }),
  })
  const text = await res.text()
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1]
  if (!res.ok || arn === undefined) throw new Error(`moto CreateRole ${res.status}: ${text.slice(0, 300)}`)
  return arn
}

/**
 * Creates function `name` in moto, its handler `index.handler` the ES module `source`, and invokes
 * it once with `probe` (its answer returned): a moto without Docker answers every Invoke with
 * "error running docker", which fails here, saying so.
 */
export async function createFunction(
  moto: MotoInfo,
  name: string,
  source: string,
  probe: unknown,
): Promise<string> {
  const role = await createRole(moto, `${name}-role`)
  const client = new LambdaClient({
    region: moto.region,
    endpoint: moto.endpoint,
    credentials: moto.credentials,
  })
  try {
    await client.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: LAMBDA_RUNTIME,
        Role: role,
        Handler: 'index.handler',
        Code: { ZipFile: zipOf('index.mjs', source) },
      }),
    )
    const out = await client.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(probe) }))
    const answer = Buffer.from(out.Payload ?? []).toString()
    if (answer.startsWith('error running docker'))
      throw new Error(
        `moto_server at ${moto.endpoint} cannot run Lambda functions (${answer.slice(0, 200)}): it needs the test dockerd, started as DOCKER_HOST=unix://<the dockerd socket> moto_server (scripts/services.sh)`,
      )
    return answer
  } finally {
    client.destroy()
  }
}

/** A zip entry's date (moto's zip2tar fails on month 0). */
const DOS_1980_01_01 = (1 << 5) | 1

/** A zip archive holding one deflated file. */
function zipOf(name: string, text: string): Buffer {
  const data = Buffer.from(text)
  const packed = deflateRawSync(data)
  const file = Buffer.from(name)
  const crc = crc32(data)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt16LE(8, 8)
  local.writeUInt16LE(DOS_1980_01_01, 12)
  local.writeUInt32LE(crc, 14)
  local.writeUInt32LE(packed.length, 18)
  local.writeUInt32LE(data.length, 22)
  local.writeUInt16LE(file.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4)
  central.writeUInt16LE(20, 6)
  central.writeUInt16LE(8, 10)
  central.writeUInt16LE(DOS_1980_01_01, 14)
  central.writeUInt32LE(crc, 16)
  central.writeUInt32LE(packed.length, 20)
  central.writeUInt32LE(data.length, 24)
  central.writeUInt16LE(file.length, 28)
  central.writeUInt32LE(0o100644 * 0x10000, 38)
  const centralAt = local.length + file.length + packed.length
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(central.length + file.length, 12)
  end.writeUInt32LE(centralAt, 16)
  return Buffer.concat([local, file, packed, central, file, end])
}
