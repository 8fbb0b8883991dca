/** A failed call, worded like Go's url.Error: `Get "http://host/path": reason`. */
export class BackendCallError extends Error {
  readonly timeout: boolean
  constructor(message: string, timeout: boolean) {
    super(message)
    this.name = 'BackendCallError'
    this.timeout = timeout
  }
}
