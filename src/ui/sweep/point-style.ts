// How a sweep point looks. On the size chart: colour by bits, marker shape by quantization method
// (so methods stay apart once there are more than RTN). On the sparsity chart: colour by pruning
// method, shape by bits.
import type { SymbolType } from 'recharts';
import type { SweepPoint } from '../../core/sweep';

export const BITS_COLOR: Record<number, string> = {
  8: '#1d7a46',
  4: '#4f5fd6',
  3: '#c27c0e',
  2: '#b42318',
};

export function bitsColor(bits: number): string {
  return BITS_COLOR[bits] ?? '#5f667a';
}

/** "4-bit"; float points (bits 16) are not quantized. */
export function bitsName(bits: number): string {
  return bits >= 16 ? 'not quantized' : `${bits}-bit`;
}

export const BITS_SHAPE: Record<number, SymbolType> = { 16: 'circle', 8: 'square', 4: 'diamond', 3: 'triangle', 2: 'cross' };

export function bitsShape(bits: number): SymbolType {
  return BITS_SHAPE[bits] ?? 'star';
}

/** Pruning methods on the sparsity chart; 'dense' is a point that prunes nothing. */
export const PRUNE_COLOR: Record<string, string> = {
  dense: '#5f667a',
  magnitude: '#c27c0e',
  wanda: '#4f5fd6',
  sparsegpt: '#1d7a46',
  channels: '#8e3fbf',
};

export const PRUNE_LABEL: Record<string, string> = { dense: 'not pruned', magnitude: 'Magnitude', wanda: 'Wanda', sparsegpt: 'SparseGPT', channels: 'MLP channels' };

export function pruneKey(p: Pick<SweepPoint, 'prune'>): string {
  return p.prune?.method ?? 'dense';
}

export const METHOD_SHAPE: Record<string, SymbolType> = {
  rtn: 'circle',
  gptq: 'diamond',
  awq: 'cross',
  hqq: 'square',
  budget: 'triangle',
  'llama.cpp': 'star',
  'llama.cpp imatrix': 'cross',
  float: 'wye',
};

export function methodShape(method: string): SymbolType {
  return METHOD_SHAPE[method] ?? 'cross';
}

export const METHOD_LABEL: Record<string, string> = {
  rtn: 'RTN',
  gptq: 'GPTQ',
  awq: 'AWQ',
  hqq: 'HQQ',
  budget: 'size budget',
  'llama.cpp': 'llama.cpp',
  'llama.cpp imatrix': 'llama.cpp + imatrix',
  float: 'float',
};

/**
 * "4-bit · block 32 · asym · all-matmuls", "GPTQ 3-bit · block 128 · …", pruned "wanda 50% · 4-bit · …"; a llama.cpp point by its
 * type name: "llama.cpp Q4_K_M · llama.cpp mix"; a float point "wanda 2:4 · float · all-matmuls".
 */
export function pointLabel(p: { method: string; label: string; bits: number; block: number | 'per-channel'; sym: boolean; selectionLabel: string; prune?: SweepPoint['prune'] }): string {
  if (p.method.startsWith('llama.cpp')) return `${p.label} · ${p.selectionLabel}`;
  if (p.method === 'budget') return `${p.label} · mixed rtn settings`;
  const pruned = p.prune ? `${p.prune.method} ${typeof p.prune.target === 'number' ? `${Math.round(p.prune.target * 100)}%` : p.prune.target} · ` : '';
  if (p.method === 'float') return `${pruned}float · ${p.selectionLabel}`;
  const block = p.block === 'per-channel' ? 'per channel' : `block ${p.block}`;
  const method = p.method === 'rtn' ? '' : `${METHOD_LABEL[p.method] ?? p.method} `;
  return `${pruned}${method}${p.bits}-bit · ${block} · ${p.sym ? 'sym' : 'asym'} · ${p.selectionLabel}`;
}

/**
 * Outline colours of compared runs' (hollow) markers, by the run's place in the history; apart
 * from the bits colours of the shown run's filled markers.
 */
const COMPARED_RUN_COLORS = ['#8e3fbf', '#0e7c86', '#a15c00', '#c2185b', '#37474f', '#5d7a1d'];

export function comparedRunColor(historyIndex: number): string {
  return COMPARED_RUN_COLORS[historyIndex % COMPARED_RUN_COLORS.length];
}

/** Literal colours for the charts: they must survive SVG/PNG export, where CSS variables do not resolve. */
export const CHART_COLORS = {
  grid: '#e8eaf0',
  text: '#1c2030',
  muted: '#5f667a',
  reference: '#5f667a',
  frontier: '#1c2030',
  selected: '#1c2030',
} as const;
