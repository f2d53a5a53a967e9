// Markers that would hide each other on a scatter chart, moved side by side (pure; the charts use it).
/** A datum's place among the points drawn at (nearly) the same spot: the marker moves sideways by it. */
export interface Dodge {
  dodge: number;
  /** How many points share the spot. */
  dodgeOf: number;
}

/**
 * Points closer than 1 % of both axis ranges (3- and 4-bit codes in the same container, two runs
 * at one setting) get consecutive dodge indices, so their markers sit side by side instead of
 * hiding each other; the data keep their true values (tooltip, table, export).
 */
export function withDodge<T extends { x: number; y: number }>(data: readonly T[]): (T & Dodge)[] {
  const xs = data.map((d) => d.x);
  const ys = data.map((d) => d.y).filter(Number.isFinite);
  const dx = (Math.max(...xs) - Math.min(...xs)) * 0.01 || 1e-9;
  const dy = (Math.max(...ys) - Math.min(...ys)) * 0.01 || 1e-9;
  const near = (a: T, b: T) => Math.abs(a.x - b.x) <= dx && Math.abs(a.y - b.y) <= dy;
  return data.map((d, i) => ({ ...d, dodge: data.slice(0, i).filter((o) => near(o, d)).length, dodgeOf: data.filter((o) => near(o, d)).length }));
}

/** The sideways shift in pixels of a dodged marker. */
export function dodgeOffset(d: Partial<Dodge> | undefined): number {
  return d?.dodgeOf && d.dodgeOf > 1 ? (d.dodge! - (d.dodgeOf - 1) / 2) * 9 : 0;
}
