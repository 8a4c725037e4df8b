// Appending one array to another without spreading it into a call: `push(...items)` passes every
// item as an argument and overflows the stack at about 100,000 items (a binary file's syntax errors).

/** Appends `items` to `target` in place and returns `target`. */
export function append<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
