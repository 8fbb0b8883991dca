/**
 * The deny paths lura would ever apply beside an allow list: none (it applies allow alone), and a
 * deny path the allow list keeps is refused by this runtime (it would leak). Those related to an
 * allowed path (the same field, inside it or over it) are dropped, so the draw stays servable.
 */
export function denyOutsideAllow(allow: string[], deny: string[]): string[] {
  const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)
  return deny.filter((d) => !allow.some((a) => related(d, a)))
}
