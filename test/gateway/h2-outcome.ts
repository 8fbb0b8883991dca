// How an h2c stream ended: its answer's status, or the RST_STREAM code of a stream reset unanswered.
import { connect } from 'node:http2'

export interface H2Outcome {
  status?: number
  rstCode?: number
}

/** One request on a session of its own; the answer's :status, or the reset code when none came. */
export function h2Outcome(baseUrl: string, method: string, path: string): Promise<H2Outcome> {
  const session = connect(baseUrl)
  return new Promise<H2Outcome>((resolve) => {
    session.on('error', () => {})
    const stream = session.request({ ':method': method, ':path': path })
    stream.on('response', (h) => {
      resolve({ status: Number(h[':status']) })
      stream.resume()
    })
    stream.on('error', () => {})
    stream.on('close', () => resolve({ rstCode: stream.rstCode }))
    stream.end()
  }).finally(() => session.close())
}
