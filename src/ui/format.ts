// Number formatting for people: bytes in SI units (1 MB = 10^6 B, as file managers show them),
// parameter counts, durations, relative errors.

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 ? 0 : value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

export function formatInteger(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** Relative error ‖W−Ŵ‖/‖W‖ as a percentage with enough digits to compare layers. */
export function formatRelError(e: number): string {
  const pct = e * 100;
  return `${pct.toFixed(pct < 1 ? 3 : 2)} %`;
}

export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join(' × ');
}

/** "KL 0.0222 · top-1 87.2 %" (KL in nats, from the original's top-k distribution). */
export function formatKl(kl: { mean: number; top1Agreement: number }): string {
  return `KL ${kl.mean < 0.001 ? kl.mean.toExponential(2) : kl.mean.toFixed(4)} · top-1 ${(kl.top1Agreement * 100).toFixed(1)} %`;
}
