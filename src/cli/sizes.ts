// Sizes on the command line: "5GB", "500MB", "2GiB" or a byte count (huggingface_hub's decimal units).
import { UsageError } from '../core/errors';

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };

export function parseSize(text: string, flag = '--max-shard-size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? SIZE_UNITS[m[2].toUpperCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) * unit < 1) throw new UsageError(`${flag} must be a size such as 5GB, 500MB or 2GiB; got "${text}"`);
  return Math.floor(Number(m[1]) * unit);
}
