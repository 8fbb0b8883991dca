/**
 * gocloud's awssnssqs encoding of a message: metadata as String message attributes (names
 * hex-escaped `__0x2f__` outside letters, digits, `_`, `-` and non-leading single `.`; values
 * url.PathEscape'd), and a body that is not UTF-8 sent base64 with the attribute base64encoded.
 * Receiving, an SNS delivery (JSON with TopicArn) is unwrapped unless raw or attributes came with it.
 */
import { escapeBytes } from '../go-url-escape.ts'

export const BASE64_KEY = 'base64encoded'

/** escape.HexEscape with awssnssqs's rule for attribute names. */
export function attributeName(key: string): string {
  const runes = [...key]
  let out = ''
  runes.forEach((c, i) => {
    const kept = /^[A-Za-z0-9_-]$/.test(c) || (c === '.' && i !== 0 && runes[i - 1] !== '.')
    out += kept ? c : `__0x${(c.codePointAt(0) as number).toString(16)}__`
  })
  return out
}

/** url.PathEscape over the value's UTF-8 bytes. */
export const attributeValue = (value: string): string =>
  escapeBytes(Buffer.from(value, 'utf8').toString('latin1'), /^[A-Za-z0-9\-_.~$&+:=@]$/)

/** The attributes and body gocloud sends (NonUTF8Only: the default base64 rule). */
export function awsMessage(
  metadata: Array<[string, string]>,
  body: Buffer,
): { attributes: Record<string, string> | undefined; body: string } {
  const attributes: Record<string, string> = {}
  for (const [k, v] of metadata) attributes[attributeName(k)] = attributeValue(v)
  const utf8 = Buffer.from(body.toString('utf8'), 'utf8').equals(body)
  if (!utf8) attributes[BASE64_KEY] = 'true'
  return {
    attributes: Object.keys(attributes).length > 0 ? attributes : undefined,
    body: utf8 ? body.toString('utf8') : body.toString('base64'),
  }
}

/** gocloud's extractBody and base64 rule: the bytes a received SQS message carries. */
export function receivedBody(text: string, attributeNames: string[], raw: boolean): Buffer {
  let body = text
  const names = new Set(attributeNames)
  if (!raw && names.size === 0) {
    const sns = snsDelivery(text)
    if (sns) {
      body = sns.message
      for (const name of sns.attributes) names.add(name)
    }
  }
  if (!names.has(BASE64_KEY)) return Buffer.from(body, 'utf8')
  // base64.StdEncoding.DecodeString: padded, no whitespace; on error the text as it is
  if (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(body))
    return Buffer.from(body, 'base64')
  return Buffer.from(body, 'utf8')
}

/** An SNS notification as encoding/json reads it into {TopicArn, Message, MessageAttributes}. */
function snsDelivery(text: string): { message: string; attributes: string[] } | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
  const field = (name: string) => {
    const entries = Object.entries(parsed as Record<string, unknown>).filter(
      ([k]) => k.toLowerCase() === name,
    )
    return entries[entries.length - 1]?.[1]
  }
  const arn = field('topicarn')
  const message = field('message')
  const attributes = field('messageattributes')
  if (typeof arn !== 'string' || arn === '') return undefined
  if (message !== undefined && typeof message !== 'string') return undefined
  return {
    message: message ?? '',
    attributes: typeof attributes === 'object' && attributes !== null ? Object.keys(attributes) : [],
  }
}
