// The ggml block formats the studio quantizes and dequantizes on the CPU, one row each
// (docs/FORMATS.md §4.2): id, name, elements per block, bytes per block, bits per weight.
// Geometry comes from the shared ggml type table (src/core/ggml-types.ts), so GGUF readers,
// writers and these references cannot disagree.
import { ggmlTypeByName, type GgmlTypeInfo } from '../../core/ggml-types';
import type { GgmlQuantType } from '../../core/recipe';

/** The types with a reference here: the recipe's list (core/recipe.ts GGML_QUANT_TYPES), one row each below. */
export type GgmlSchemeName = GgmlQuantType;

export interface GgmlScheme extends GgmlTypeInfo {
  name: GgmlSchemeName;
  bitsPerWeight: number;
  family: 'float' | 'legacy' | 'k-quant';
}

const NAMES: Record<GgmlSchemeName, GgmlScheme['family']> = {
  F32: 'float', F16: 'float', BF16: 'float',
  Q8_0: 'legacy', Q4_0: 'legacy', Q4_1: 'legacy', Q5_0: 'legacy', Q5_1: 'legacy',
  Q2_K: 'k-quant', Q3_K: 'k-quant', Q4_K: 'k-quant', Q5_K: 'k-quant', Q6_K: 'k-quant',
};

export const GGML_SCHEMES: readonly GgmlScheme[] = (Object.keys(NAMES) as GgmlSchemeName[]).map((name) => {
  const t = ggmlTypeByName(name);
  if (!t) throw new Error(`Internal error: ${name} missing from the ggml type table`);
  return { ...t, name, bitsPerWeight: (t.blockBytes * 8) / t.blockSize, family: NAMES[name] };
});

const BY_NAME = new Map(GGML_SCHEMES.map((s) => [s.name as string, s]));

/** The scheme row for a ggml type name, or undefined if the studio has no CPU reference for it. */
export function ggmlScheme(name: string): GgmlScheme | undefined {
  return BY_NAME.get(name);
}

export function isGgmlSchemeName(name: string): name is GgmlSchemeName {
  return BY_NAME.has(name);
}
