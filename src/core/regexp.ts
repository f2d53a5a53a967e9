// Regular-expression helpers shared by recipes (patterns are plain JavaScript RegExp sources).

/** `s` as a pattern that matches exactly that text. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
