// Axis ticks the charts compute themselves rather than leave to recharts' 'auto', which on a
// narrow perplexity range repeats labels ("61.2, 61.2, 61.2, 61.1": four ticks, one decimal) and
// on a log scale stops labelling above 100. Linear: steps of 1, 2 or 5 × 10^k with just enough
// decimals that no two labels read the same. Log: 1-2-5 per decade, or every mantissa 1…9 when the
// range holds fewer than two 1-2-5 ticks.

export interface AxisTicks {
  ticks: number[];
  domain: [number, number];
  format: (v: number) => string;
}

const finite = (values: readonly number[]) => values.filter((v) => Number.isFinite(v));

/** About `target` ticks at a 1-2-5 step covering every value; the domain is the outer ticks. */
export function linearTicks(values: readonly number[], target = 5): AxisTicks | null {
  const vs = finite(values);
  if (vs.length === 0) return null;
  let min = Math.min(...vs);
  let max = Math.max(...vs);
  if (min === max) {
    const pad = Math.abs(min) * 0.05 || 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * (1 - 1e-9))!;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; lo + i * step <= hi + step * 1e-6; i++) ticks.push(Number((lo + i * step).toFixed(decimals)));
  return { ticks, domain: [ticks[0], ticks[ticks.length - 1]], format: (v) => v.toFixed(decimals) };
}

function logCandidates(min: number, max: number, mantissas: readonly number[]): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)) - 1; e <= Math.ceil(Math.log10(max)) + 1; e++) {
    for (const m of mantissas) out.push(Number((m * 10 ** e).toPrecision(3)));
  }
  return out;
}

/** Log-scale ticks over the positive values: 1-2-5 per decade (or 1…9 when fewer than two fall inside the data), from the one below the data to the one above. */
export function logTicks(values: readonly number[]): AxisTicks | null {
  const vs = finite(values).filter((v) => v > 0);
  if (vs.length === 0) return null;
  const min = Math.min(...vs);
  const max = Math.max(...vs);
  for (const mantissas of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const all = logCandidates(min, max, mantissas);
    const below = all.filter((t) => t <= min).pop()!;
    const above = all.find((t) => t >= max)!;
    const ticks = all.filter((t) => t >= below && t <= above);
    const inside = ticks.filter((t) => t >= min && t <= max).length;
    if (inside >= 2 || mantissas.length === 9) return { ticks, domain: [below, above], format: (v) => String(Number(v.toPrecision(2))) };
  }
  return null;
}

/** No two labels alike (what the tests hold every tick set to). */
export function distinctLabels(t: AxisTicks): boolean {
  const labels = t.ticks.map(t.format);
  return new Set(labels).size === labels.length;
}
