/**
 * Credentials written in the gateway config. User info in URLs (`https://user:password@host`):
 * messages name such a URL with its password as `***` (a user name alone as `***`, since it may be the token
 * itself), as Go's url.Redacted does, so a secret never reaches the terminal, `--json` or CI logs.
 */

/** The URL's user info: what stands before the last "@" of its authority (scheme optional). */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)?([^/?#]*)@/i

/** Whether `text` carries user info (a user name, a password or both). */
export const hasCredentials = (text: string): boolean => USERINFO.test(text)

/** `text` with the password of its user info shown as `***` (the user name too when it is alone). */
export function hideCredentials(text: string): string {
  return text.replace(USERINFO, (_all, scheme: string | undefined, userinfo: string) => {
    const colon = userinfo.indexOf(':')
    const shown = colon === -1 ? '***' : `${userinfo.slice(0, colon)}:***`
    return `${scheme ?? ''}${shown}@`
  })
}

/** A config value for a message: JSON-quoted like the rest, its credentials hidden when it is a string. */
export const quoteUrl = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(hideCredentials(value)) : JSON.stringify(value)

/**
 * Header, query parameter and cookie names whose values are credentials: Authorization,
 * Proxy-Authorization, Cookie, X-Api-Key, X-Auth-Token, a session id, and names saying password,
 * secret, token, credential, private or signature.
 */
const CREDENTIAL_NAME =
  /pass(word)?|secret|token|credential|private|api[-_]?key|auth|cookie|signature|session/i

/** Whether a header (query parameter, cookie) called `name` carries a credential. */
export const isCredentialName = (name: string): boolean => CREDENTIAL_NAME.test(name)
