/**
 * provider.aws.tags, checked when the provider is created: AWS refuses a tag key starting with
 * `aws:`, keys over 128 and values over 256 characters, and characters outside its set, but only
 * when gwdeploy creates the target group or launches the instances (exit 6 naming no setting).
 * `gwdeploy:` keys are gwdeploy's own records (colour, SHA, size): a user tag there would be
 * overwritten, or read back as one.
 */
import { configError, type Problem } from '../../core/errors.ts'

/** What ELBv2 and EC2 both accept in tag keys and values. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

function tagProblem(key: string, value: string): string | undefined {
  if (/^aws:/i.test(key)) return 'keys starting with aws: are reserved by AWS'
  if (/^gwdeploy:/i.test(key)) return "keys starting with gwdeploy: are gwdeploy's own records"
  if (key.length === 0 || key.length > 128) return 'a tag key has 1 to 128 characters'
  if (value.length > 256) return `a tag value has at most 256 characters (this one ${value.length})`
  if (!TAG_TEXT.test(key) || !TAG_TEXT.test(value))
    return 'AWS allows letters, digits, spaces and _ . : / = + - @ only'
  return undefined
}

export function checkTags(tags: Record<string, string>): void {
  const problems: Problem[] = Object.entries(tags).flatMap(([key, value]) => {
    const why = tagProblem(key, value)
    return why
      ? [
          {
            message: `tag "${key}": ${why}`,
            location: { file: 'gwdeploy.yml', path: `provider.aws.tags.${key}` },
          },
        ]
      : []
  })
  if (!problems.length) return
  const [first] = problems as [Problem]
  throw configError(problems.length === 1 ? first.message : `${problems.length} tags AWS would refuse`, {
    ...(problems.length === 1 ? { location: first.location } : { problems }),
    hint: 'AWS refuses them when gwdeploy tags the target groups and instances. Nothing was created.',
  })
}
