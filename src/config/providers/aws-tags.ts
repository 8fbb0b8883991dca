/**
 * provider.aws.tags AWS refuses: a key starting with `aws:`, keys over 128 and values over 256
 * characters, characters outside its set. AWS says so only when gwdeploy creates the target group
 * or launches the instances (exit 6 naming no setting), so the config schema refuses them.
 * `gwdeploy:` keys are gwdeploy's own records (colour, SHA, size): a user tag there would be
 * overwritten, or read back as one.
 */

/** The tags ELBv2 and EC2 allow on one resource. */
const AWS_TAGS_PER_RESOURCE = 50

/**
 * The most `gwdeploy:` (and `Name`) tags gwdeploy puts on one resource beside the user's: a colour's
 * target group (its fleet record and keep-until). A provider test holds every tag set to it.
 */
export const GWDEPLOY_TAGS_AT_MOST = 11

/** How many provider.aws.tags fit beside gwdeploy's own on every resource. */
export const USER_TAGS_AT_MOST = AWS_TAGS_PER_RESOURCE - GWDEPLOY_TAGS_AT_MOST

/** What ELBv2 and EC2 both accept in tag keys and values. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

/** Why AWS (or gwdeploy) refuses the tag `key: value`, or undefined. */
export function tagProblem(key: string, value: string): string | undefined {
  if (/^aws:/i.test(key)) return 'keys starting with aws: are reserved by AWS'
  if (/^gwdeploy:/i.test(key)) return "keys starting with gwdeploy: are gwdeploy's own records"
  if (key.length === 0 || key.length > 128) return 'a tag key has 1 to 128 characters'
  if (value.length > 256) return `a tag value has at most 256 characters (this one ${value.length})`
  if (!TAG_TEXT.test(key) || !TAG_TEXT.test(value))
    return 'AWS allows letters, digits, spaces and _ . : / = + - @ only'
  return undefined
}
