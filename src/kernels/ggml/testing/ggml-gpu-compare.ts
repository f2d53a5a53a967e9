// Test support for the ggml kernels (dequantize.gpu.test.ts, quantize.gpu.test.ts): GGUF fixtures
// opened in the browser, and block-by-block comparison of GPU output with the CPU references
// (STYLE.md "Tests": a failure names the first differing block).
import { bytesSource } from '../../../core/byte-source';
import { openGguf, type GgufFile } from '../../../formats/gguf/gguf-reader';
import { fetchFixtures } from '../../../eval/testing/browser-fixtures';

/** Opens GGUF fixtures by path relative to the shared fixtures folder; `missing` says why not. */
export async function openGgufFixtures<K extends string>(
  files: Record<K, string>,
): Promise<{ files: Record<K, GgufFile>; missing?: undefined } | { files?: undefined; missing: string }> {
  const got = await fetchFixtures(
    Object.fromEntries(Object.entries(files).map(([k, p]) => [k, (p as string).split('/')])) as Record<K, string[]>,
  );
  if (got.missing !== undefined) return { missing: got.missing };
  const out = {} as Record<K, GgufFile>;
  for (const key of Object.keys(files) as K[]) {
    out[key] = await openGguf(bytesSource(new Uint8Array(got.files[key]), files[key]));
  }
  return { files: out };
}

export interface BlockComparison {
  blocks: number;
  identical: number;
  /** First differing block, with what differs. */
  first?: string;
}

/** Blocks of `blockBytes` bytes that are byte-identical. */
export function compareBlockBytes(got: Uint8Array, want: Uint8Array, blockBytes: number, label: string): BlockComparison {
  const r: BlockComparison = { blocks: want.byteLength / blockBytes, identical: 0 };
  if (got.byteLength !== want.byteLength) {
    return { ...r, first: `${label}: ${got.byteLength} bytes, expected ${want.byteLength}` };
  }
  for (let b = 0; b < r.blocks; b++) {
    const diffs: number[] = [];
    for (let k = 0; k < blockBytes; k++) if (got[b * blockBytes + k] !== want[b * blockBytes + k]) diffs.push(k);
    if (diffs.length === 0) r.identical++;
    else {
      r.first ??=
        `${label} block ${b}: ${diffs.length} of ${blockBytes} bytes differ, first at byte ${diffs[0]} ` +
        `(got ${got[b * blockBytes + diffs[0]]}, expected ${want[b * blockBytes + diffs[0]]})`;
    }
  }
  return r;
}

/**
 * Blocks of `blockSize` elements whose float32 values are bit-identical (any NaN equals any NaN:
 * the reference decodes through JavaScript numbers, which do not keep NaN payloads).
 */
export function compareBlockValues(got: Float32Array, want: Float32Array, blockSize: number, label: string): BlockComparison {
  const r: BlockComparison = { blocks: want.length / blockSize, identical: 0 };
  if (got.length !== want.length) return { ...r, first: `${label}: ${got.length} values, expected ${want.length}` };
  const gb = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const wb = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let b = 0; b < r.blocks; b++) {
    let bad = -1;
    for (let k = b * blockSize; k < (b + 1) * blockSize && bad < 0; k++) {
      if (gb[k] !== wb[k] && !(Number.isNaN(got[k]) && Number.isNaN(want[k]))) bad = k;
    }
    if (bad < 0) r.identical++;
    else r.first ??= `${label} block ${b}: element ${bad} is ${got[bad]} (0x${gb[bad].toString(16)}), expected ${want[bad]} (0x${wb[bad].toString(16)})`;
  }
  return r;
}

/** Adds b's counts into a (keeping a's first difference). */
export function addComparison(a: BlockComparison, b: BlockComparison): void {
  a.blocks += b.blocks;
  a.identical += b.identical;
  a.first ??= b.first;
}
