/** A failed call, worded like Go's url.Error: `Get "http://host/path": reason`. */
export class BackendCallError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BackendCallError'
  }
}
