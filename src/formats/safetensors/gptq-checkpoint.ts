// GPTQ-packed Linear weights in a checkpoint (AutoGPTQ/GPTQModel v1, docs/FORMATS.md §6.1, the
// layout the studio's safetensors export writes): each module's qweight/qzeros/scales/g_idx
// found by name and checked against one another, so the rest of the studio can see one float
// `<module>.weight` [out, in] and read it dequantized.
import { FormatError, UnsupportedModelError } from '../../core/errors';
import type { CheckpointTensor } from './safetensors-checkpoint';
import { readSafetensorsFloats, readSafetensorsTensor } from './safetensors-reader';
import { dequantizeGptq, gptqBitsOf } from './gptq-packed';

const PARTS = ['qweight', 'qzeros', 'scales', 'g_idx'] as const;

export interface GptqModule {
  /** `<module>.weight`: the name the dequantized weight goes by. */
  name: string;
  /** N (outputs) × K (inputs). */
  rows: number;
  cols: number;
  bits: number;
  /** Bytes of the four stored tensors. */
  byteLength: number;
  parts: Record<(typeof PARTS)[number], CheckpointTensor>;
}

/** The dtype a model index gives a GPTQ-packed weight ('gptq4'): it reads as float32, dequantized. */
export const gptqDtype = (bits: number) => `gptq${bits}`;
export const isGptqDtype = (dtype: string) => /^gptq\d$/.test(dtype);

const int32s = (b: Uint8Array) => new Int32Array(b.slice().buffer);

/** Splits a checkpoint's tensors into GPTQ-packed modules and the rest. */
export function findGptqModules(tensors: readonly CheckpointTensor[], file: string): { modules: GptqModule[]; plain: CheckpointTensor[] } {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const modules: GptqModule[] = [];
  const taken = new Set<string>();
  for (const q of tensors) {
    if (!q.name.endsWith('.qweight')) continue;
    const base = q.name.slice(0, -'.qweight'.length);
    const parts = Object.fromEntries(PARTS.map((p) => [p, byName.get(`${base}.${p}`)])) as Partial<GptqModule['parts']>;
    const missing = PARTS.filter((p) => !parts[p]);
    const fail = (why: string): never => {
      throw new FormatError(`GPTQ-packed ${base}: ${why}`, q.byteOffset, file);
    };
    if (missing.length) fail(`has qweight but no ${missing.join(', ')}`);
    const { qweight, qzeros, scales, g_idx: gIdx } = parts as GptqModule['parts'];
    for (const [t, want] of [[qweight, 'I32'], [qzeros, 'I32'], [gIdx, 'I32']] as const) if (t.dtype !== want) fail(`${t.name} is ${t.dtype}, not ${want}`);
    if (!['F16', 'BF16', 'F32'].includes(scales.dtype)) fail(`${scales.name} is ${scales.dtype}, not a float`);
    if (gIdx.shape.length !== 1 || qweight.shape.length !== 2 || scales.shape.length !== 2 || qzeros.shape.length !== 2) fail('qweight, qzeros and scales must be 2-D and g_idx 1-D');
    const cols = gIdx.shape[0];
    const rows = qweight.shape[1];
    const bits = gptqBitsOf(qweight.shape, cols);
    if (bits === undefined) {
      throw new UnsupportedModelError(`${file}: GPTQ-packed ${base}: qweight [${qweight.shape}] for ${cols} inputs is not 2-, 4- or 8-bit packing (the studio reads those)`, { tensor: qweight.name, file });
    }
    const groups = scales.shape[0];
    if (scales.shape[1] !== rows) fail(`scales [${scales.shape}] do not have the ${rows} outputs of qweight [${qweight.shape}]`);
    if (qzeros.shape[0] !== groups || qzeros.shape[1] * (32 / bits) !== rows) fail(`qzeros [${qzeros.shape}] do not match ${groups} groups × ${rows} outputs at ${bits} bits`);
    for (const t of Object.values(parts)) taken.add(t!.name);
    const byteLength = PARTS.reduce((n, p) => n + parts[p]!.byteLength, 0);
    modules.push({ name: `${base}.weight`, rows, cols, bits, byteLength, parts: parts as GptqModule['parts'] });
  }
  return { modules, plain: tensors.filter((t) => !taken.has(t.name)) };
}

/** The module's weight W[N][K] (Hugging Face Linear order), dequantized. */
export async function readGptqModule(m: GptqModule): Promise<Float32Array> {
  const { qweight, qzeros, scales, g_idx: gIdx } = m.parts;
  return dequantizeGptq({
    rows: m.rows,
    cols: m.cols,
    bits: m.bits,
    qweight: int32s(await readSafetensorsTensor(qweight.file, qweight)),
    qzeros: int32s(await readSafetensorsTensor(qzeros.file, qzeros)),
    scales: await readSafetensorsFloats(scales.file, scales),
    gIdx: int32s(await readSafetensorsTensor(gIdx.file, gIdx)),
  });
}
