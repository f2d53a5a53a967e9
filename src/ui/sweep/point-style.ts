// How a sweep point looks: colour by bits, marker shape by method (one shape per quantization
// method, so methods stay apart on one chart once there are more than RTN).
import type { SymbolType } from 'recharts';

export const BITS_COLOR: Record<number, string> = {
  8: '#1d7a46',
  4: '#4f5fd6',
  3: '#c27c0e',
  2: '#b42318',
};

export function bitsColor(bits: number): string {
  return BITS_COLOR[bits] ?? '#5f667a';
}

export const METHOD_SHAPE: Record<string, SymbolType> = {
  rtn: 'circle',
  gptq: 'diamond',
  awq: 'triangle',
  hqq: 'square',
  'llama.cpp': 'star',
};

export function methodShape(method: string): SymbolType {
  return METHOD_SHAPE[method] ?? 'cross';
}

export const METHOD_LABEL: Record<string, string> = {
  rtn: 'RTN',
  gptq: 'GPTQ',
  awq: 'AWQ',
  hqq: 'HQQ',
  'llama.cpp': 'llama.cpp',
};

/** "4-bit · block 32 · asym · all-matmuls"; a llama.cpp point by its type name: "llama.cpp Q4_K_M · llama.cpp mix". */
export function pointLabel(p: { method: string; label: string; bits: number; block: number | 'per-channel'; sym: boolean; selectionLabel: string }): string {
  if (p.method === 'llama.cpp') return `${p.label} · ${p.selectionLabel}`;
  const block = p.block === 'per-channel' ? 'per channel' : `block ${p.block}`;
  return `${p.bits}-bit · ${block} · ${p.sym ? 'sym' : 'asym'} · ${p.selectionLabel}`;
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
