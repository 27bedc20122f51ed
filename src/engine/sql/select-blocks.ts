/** Finding SELECT blocks in a statement's syntax tree, for the rewrites that work per block. */
import type { SelectStmt } from './ast.ts';

/** The SELECT blocks of a statement for which `test` holds, innermost first. */
export function selectBlocks(root: unknown, test: (q: SelectStmt) => boolean): SelectStmt[] {
  const out: SelectStmt[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    for (const k in node) walk((node as Record<string, unknown>)[k]);
    const q = node as SelectStmt;
    if (q.kind === 'select' && test(q)) out.push(q);
  };
  walk(root);
  return out;
}
