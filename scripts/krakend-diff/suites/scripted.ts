// A backend answer of a suite's own, for the recording backend's /scripted/ path (backend.ts): the
// url_pattern carries the status, the header lines and the body, so a config can script any answer.
export function scripted(
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer = '',
): string {
  const b64 = (bytes: Buffer) => bytes.toString('base64url')
  return `/scripted/${status}/${b64(Buffer.from(JSON.stringify(headers)))}/${b64(Buffer.isBuffer(body) ? body : Buffer.from(body))}`
}

export const JSON_TYPE = { 'Content-Type': 'application/json' }
