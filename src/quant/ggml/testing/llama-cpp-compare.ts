// Block-by-block comparison of the studio's ggml references with a file llama-quantize wrote,
// shared by the parity tests. Legacy types must match every block (FORMATS §4.4b); k-quants must
// match ≥ 99.9 % of blocks (FORMATS §4.3: best-effort) and their dequantized error (importance-
// weighted when there is an importance matrix) must be no worse than llama.cpp's.
import { expect } from 'vitest';
import { readGgufTensor, type GgufFile } from '../../../formats/gguf/gguf-reader';
import { importanceOf, type ImportanceMatrix } from '../../../formats/imatrix/imatrix-file';
import { dequantizeGgmlRef, quantizeGgmlRef } from '../ggml-codec';

/** Named thresholds: share of blocks identical to llama.cpp's. */
export const MIN_IDENTICAL_SHARE = { legacy: 1, kQuant: 0.999 } as const;
/** Our squared error may exceed llama.cpp's by at most this factor (k-quants only). */
export const MAX_ERROR_RATIO = 1 + 1e-9;

export interface Parity {
  blocks: number;
  identical: number;
  sqErrOurs: number;
  sqErrTheirs: number;
  worst?: string;
}

export async function compareWithLlamaCpp(source: GgufFile, quantized: GgufFile, imatrix?: ImportanceMatrix): Promise<Parity> {
  const r: Parity = { blocks: 0, identical: 0, sqErrOurs: 0, sqErrTheirs: 0 };
  let checked = 0;
  for (const t of quantized.tensors) {
    const s = source.tensors.find((x) => x.name === t.name);
    expect(s, `${t.name} missing from the source`).toBeDefined();
    if (!s || t.type.name === s.type.name) continue; // copied, not quantized (norms)
    checked++;
    const x = dequantizeGgmlRef(s.type.name, await readGgufTensor(source, s));
    // llama-quantize has no importance for weights the imatrix lacks (the token embedding).
    const importance = imatrix && importanceOf(imatrix, t.name);
    const ours = quantizeGgmlRef(t.type.name, x, importance);
    const theirs = await readGgufTensor(quantized, t);
    expect(ours.byteLength).toBe(theirs.byteLength);
    const bb = t.type.blockBytes;
    for (let b = 0; b < ours.byteLength / bb; b++) {
      r.blocks++;
      let diff = 0;
      for (let k = 0; k < bb; k++) if (ours[b * bb + k] !== theirs[b * bb + k]) diff++;
      if (diff === 0) r.identical++;
      else r.worst ??= `${t.name} block ${b}: ${diff} of ${bb} bytes differ`;
    }
    const dq = dequantizeGgmlRef(t.type.name, ours);
    const dt = dequantizeGgmlRef(t.type.name, theirs);
    for (let i = 0; i < x.length; i++) {
      const w = importance ? importance[i % importance.length] : 1;
      r.sqErrOurs += w * (dq[i] - x[i]) ** 2;
      r.sqErrTheirs += w * (dt[i] - x[i]) ** 2;
    }
  }
  expect(checked).toBeGreaterThan(0);
  return r;
}

