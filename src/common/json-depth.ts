// Payloads deeper than MAX_JSON_DEPTH are refused with TOO_DEEPLY_NESTED (both in protocol/).

/**
 * Whether `value` nests objects and arrays more than `maxDepth` levels deep (`{}` is one level).
 * Iterative, so that checking cannot overflow the stack itself.
 */
export function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: unknown[] = [value];
  const levels: number[] = [1];
  while (pending.length > 0) {
    const current = pending.pop();
    const level = levels.pop() ?? 1;
    if (!isContainer(current)) continue;
    if (level > maxDepth) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (isContainer(child)) {
        pending.push(child);
        levels.push(level + 1);
      }
    }
  }
  return false;
}

/** Arrays and plain objects: what JSON.parse makes (a Buffer or a Date is a leaf). */
function isContainer(value: unknown): value is unknown[] | Record<string, unknown> {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
