// Types for the part of punycode.js (RFC 3492, untyped) the backend client's redirects use. Imported
// by its file path: a bare `punycode` is Node's own deprecated module.
declare module 'punycode/punycode.js' {
  const punycode: {
    /** A string of Unicode symbols as a Punycode string of ASCII symbols (no IDNA mapping). */
    encode(input: string): string
  }
  export default punycode
}
