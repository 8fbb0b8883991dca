/**
 * A Go runtime panic in KrakenD's request handler (lura's proxy stack runs in gin's handler): gin's
 * Recovery logs it and answers 500 without a body, keeping only the headers the handler set before
 * (X-KrakenD), not lura's X-KrakenD-Completed.
 */
export class GoPanic extends Error {}
