/**
 * Flattens nested objects into dotted keys (`{http:{status:200}}` → `http.status`).
 * Arrays stay values. Depth is bounded so a hostile document cannot recurse without end.
 */
export function flattenObject(
  value: Record<string, unknown>,
  maxDepth = 8,
  prefix = '',
  into: Record<string, unknown> = {},
): Record<string, unknown> {
  // for…in rather than Object.entries: no array per key, and this runs for every JSON line.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const child = value[key];
    const path = prefix ? `${prefix}.${key}` : key;
    if (child !== null && typeof child === 'object' && !Array.isArray(child) && maxDepth > 1) {
      flattenObject(child as Record<string, unknown>, maxDepth - 1, path, into);
    } else {
      into[path] = child;
    }
  }
  return into;
}
