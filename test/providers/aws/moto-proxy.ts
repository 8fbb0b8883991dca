/**
 * A proxy in front of moto_server that misbehaves on demand, as AWS does on a bad night: a call
 * that gets no answer at all (a hung connection), or an error answer (throttling, a 5xx), or
 * moto's answer rewritten (what moto does not emulate: ALB health checks that fail). Each
 * request is matched by its API action (`ModifyListener`, `RunInstances`, `GetParameter`, ...):
 * the query protocols (EC2, ELBv2) carry it as `Action=` in the body, the JSON ones (SSM) in
 * `X-Amz-Target`. Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http'

/**
 * What the proxy does with one call: pass it to moto, never answer it, answer an AWS error, or
 * pass it to moto (which applies it) and hold moto's answer back for `delayMs` (a slow API).
 */
export type Behaviour =
  | 'pass'
  | 'hang'
  | { status: number; code: string; message?: string }
  | { delayMs: number }
  | { rewrite: (answer: string) => string }

export interface MotoProxy {
  /** The endpoint to give gwdeploy (provider.aws.endpoint). */
  endpoint: string
  /** Decides per action (and its query parameters: `ForwardConfig...Weight`); `pass` for everything by default. */
  behave(decide: (action: string, params: URLSearchParams) => Behaviour): void
  /** Every action received, in order (also the ones not answered). */
  readonly actions: string[]
  /** Actions received and held without an answer (or with moto's answer held back), still open. */
  hanging(): string[]
  /** Waits (bounded) until an action matching `pattern` was received since `from` (an index in `actions`). */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<string>
  close(): Promise<void>
}

function actionOf(req: IncomingMessage, body: Buffer): string {
  const target = req.headers['x-amz-target']
  if (typeof target === 'string') return target.split('.').pop() ?? target
  return new URLSearchParams(body.toString('utf8')).get('Action') ?? `${req.method} ${req.url}`
}

/** An AWS query-protocol error document (what ELBv2/EC2 send; the SDK reads Code from it). */
function errorBody(code: string, message: string): string {
  return `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>moto-proxy</RequestId></ErrorResponse>`
}

export async function startMotoProxy(motoEndpoint: string): Promise<MotoProxy> {
  const upstream = new URL(motoEndpoint)
  let decide: (action: string, params: URLSearchParams) => Behaviour = () => 'pass'
  const actions: string[] = []
  const held = new Map<ServerResponse, string>()

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const action = actionOf(req, body)
      actions.push(action)
      const behaviour = decide(action, new URLSearchParams(body.toString('utf8')))
      if (behaviour === 'hang') {
        held.set(res, action)
        res.on('close', () => held.delete(res))
        return
      }
      if (behaviour !== 'pass' && 'status' in behaviour) {
        const message = behaviour.message ?? `${behaviour.code} (moto-proxy)`
        const text = req.headers['x-amz-target']
          ? JSON.stringify({ __type: behaviour.code, message })
          : errorBody(behaviour.code, message)
        res.writeHead(behaviour.status, {
          'content-type': 'text/xml',
          'content-length': Buffer.byteLength(text),
        })
        res.end(text)
        return
      }
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          if (behaviour === 'pass') {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(res)
            return
          }
          if ('rewrite' in behaviour) {
            const parts: Buffer[] = []
            answer.on('data', (chunk: Buffer) => parts.push(chunk))
            answer.on('end', () => {
              const text = behaviour.rewrite(Buffer.concat(parts).toString('utf8'))
              const { 'content-length': _length, ...headers } = answer.headers
              res.writeHead(answer.statusCode ?? 502, {
                ...headers,
                'content-length': Buffer.byteLength(text),
              })
              res.end(text)
            })
            return
          }
          const parts: Buffer[] = []
          answer.on('data', (chunk: Buffer) => parts.push(chunk))
          answer.on('end', () => {
            held.set(res, action)
            res.on('close', () => held.delete(res))
            setTimeout(() => {
              held.delete(res)
              if (res.destroyed) return
              res.writeHead(answer.statusCode ?? 502, answer.headers)
              res.end(Buffer.concat(parts))
            }, behaviour.delayMs).unref()
          })
        },
      )
      forwarded.on('error', () => res.destroy())
      forwarded.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    behave(next) {
      decide = next
    },
    actions,
    hanging: () => [...held.values()],
    async waitFor(pattern, from = 0, timeoutMs = 90_000) {
      for (let waited = 0; ; waited += 100) {
        const found = actions.slice(from).find((a) => pattern.test(a))
        if (found) return found
        if (waited >= timeoutMs)
          throw new Error(
            `no ${pattern} call reached the proxy in ${timeoutMs} ms: ${actions.slice(from).join(', ')}`,
          )
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    async close() {
      for (const res of held.keys()) res.destroy()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
