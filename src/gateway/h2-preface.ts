/** The bytes an HTTP/2 client opens a connection with (RFC 9113 §3.4): h2c with prior knowledge. */
export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')
