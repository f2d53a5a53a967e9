// Internal invariants. Bad *input* gets a typed StudioError at the boundary; this is for bugs.

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`Internal error: ${message}`);
}
