/** `--json` among the words before a `--` (after it, words belong to the command's arguments). */
export function jsonRequested(argv: string[] = process.argv.slice(2)): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json')
}
