/**
 * The problems of a project's two files (gwdeploy.yml and the gateway config) gathered in one run:
 * each check's configuration error is kept instead of thrown, and they are reported together.
 */
import { configError, GwError, type Problem } from '../core/errors.ts'
import { ExitCode } from '../core/exit-codes.ts'

/** Runs one check; its configuration error (exit 2) is kept in `errors`, anything else is thrown. */
export async function keepProblem<T>(errors: GwError[], check: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await check()
  } catch (error) {
    if (!(error instanceof GwError) || error.exitCode !== ExitCode.usage) throw error
    errors.push(error)
    return undefined
  }
}

/** One error's problems, each with a hint (the error's own when the problem has none). */
function problemsOf(error: GwError): Problem[] {
  if (error.problems.length === 0)
    return [
      {
        message: error.message,
        ...(error.location ? { location: error.location } : {}),
        ...(error.hint ? { hint: error.hint } : {}),
      },
    ]
  return error.problems.map((problem) =>
    problem.hint || !error.hint ? problem : { ...problem, hint: error.hint },
  )
}

/** The same problem found by two checks (release's and validate's) is one: same message at the same key. */
const problemKey = (problem: Problem) =>
  `${problem.message}\u0000${problem.location?.path ?? `${problem.location?.file}:${problem.location?.line}`}`

/**
 * One error for all of them: a single error as it is (its message and hint unchanged); several as
 * one list, in the order found (gwdeploy.yml first), the same problem once.
 */
export function combineProblems(errors: GwError[]): GwError {
  const [first] = errors
  if (errors.length === 1 && first) return first
  const seen = new Set<string>()
  const problems: Problem[] = []
  for (const problem of errors.flatMap(problemsOf)) {
    const key = problemKey(problem)
    if (seen.has(key)) continue
    seen.add(key)
    problems.push(problem)
  }
  const files = [
    ...new Set(problems.map((p) => p.location?.file?.replace(/ \(rendered\)$/, '')).filter(Boolean)),
  ]
  return configError(
    `${files.length ? `${files.join(' + ')}: ` : ''}${problems.length} problem${problems.length === 1 ? '' : 's'}`,
    {
      problems,
      hint: 'Fix each problem above; `gwdeploy config validate` checks both files again and changes nothing.',
    },
  )
}

/** Whether `extra` names a problem `error` does not. */
export function addsProblems(error: GwError, extra: GwError[]): boolean {
  const known = new Set(problemsOf(error).map(problemKey))
  return extra.flatMap(problemsOf).some((problem) => !known.has(problemKey(problem)))
}
