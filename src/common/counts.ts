/** Adds `by` to the count of `key`; a count that reaches 0 is deleted, so the map holds only the present. */
export function increment(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
