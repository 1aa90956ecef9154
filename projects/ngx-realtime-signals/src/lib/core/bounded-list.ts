/**
 * `list` followed by `items`, keeping only the newest `max` entries (the tail).
 *
 * @example
 * ```ts
 * appendBounded([1, 2, 3], [4, 5], 4); // [2, 3, 4, 5]
 * ```
 */
export function appendBounded<T>(list: readonly T[], items: readonly T[], max: number): T[] {
  const joined = [...list, ...items];
  return joined.length > max ? joined.slice(joined.length - Math.max(0, max)) : joined;
}

/**
 * `items` newest first, then `list`, keeping only the first `max` entries.
 *
 * @example
 * ```ts
 * prependBounded([3, 2, 1], [4, 5], 4); // [5, 4, 3, 2]
 * ```
 */
export function prependBounded<T>(list: readonly T[], items: readonly T[], max: number): T[] {
  const joined = [...[...items].reverse(), ...list];
  return joined.length > max ? joined.slice(0, Math.max(0, max)) : joined;
}
