// Short ids for AST nodes, for keys of caches that hold across keystrokes: the incremental parser
// keeps an unchanged declaration's nodes, so the same id means the same declaration text.
const ids = new WeakMap<object, number>();
let next = 0;

/** The node's id (given on first sight, kept while the node lives). */
export function idOf(node: object): number {
  let id = ids.get(node);
  if (id === undefined) ids.set(node, (id = next++));
  return id;
}
