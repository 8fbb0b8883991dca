/** cel-js's AST as the CEL helpers walk it. */

export interface AstNode {
  op: string
  left?: AstNode
  right?: AstNode
  args?: unknown
  start?: number
  end?: number
  checkedType?: { name: string }
}

/** Every node of a checked cel-js AST, parents first (operators keep their operands in left/right). */
export function* astNodes(root: unknown): Generator<AstNode> {
  const stack: unknown[] = [root]
  const seen = new Set<unknown>()
  while (stack.length > 0) {
    const value = stack.pop()
    if (typeof value !== 'object' || value === null || seen.has(value)) continue
    seen.add(value)
    if (Array.isArray(value)) {
      stack.push(...value)
      continue
    }
    const node = value as AstNode
    if (typeof node.op !== 'string') continue
    yield node
    stack.push(node.left, node.right, node.args)
  }
}
