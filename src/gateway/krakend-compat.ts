// The KrakenD CE release whose observable behaviour this runtime follows. Backends see its
// User-Agent and clients its X-KRAKEND header, so a backend or client that keys on KrakenD's
// values keeps working when the runtime is swapped (README "Gateway runtime").
export const KRAKEND_VERSION = '2.13.8'
export const KRAKEND_USER_AGENT = `KrakenD Version ${KRAKEND_VERSION}`
export const KRAKEND_HEADER = 'X-Krakend'
export const KRAKEND_HEADER_VALUE = `Version ${KRAKEND_VERSION}`
export const KRAKEND_HEADER_HIDDEN = 'Version undefined'
export const COMPLETED_HEADER = 'X-Krakend-Completed'

/** The X-KrakenD value a service answers with (`router.hide_version_header` hides the version). */
export const krakendHeaderValue = (server: { hideVersionHeader: boolean }): string =>
  server.hideVersionHeader ? KRAKEND_HEADER_HIDDEN : KRAKEND_HEADER_VALUE
