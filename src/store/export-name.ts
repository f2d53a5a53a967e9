// File name of a quantized export: <model stem>-q<bits>-<b<block>|pc>-<sym|asym>.onnx,
// e.g. model-q4-b32-asym.onnx.
import type { RtnScheme } from '../core/quantized-tensor';

export function exportFileName(sourceName: string, scheme: RtnScheme): string {
  const base = sourceName.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.onnx$/i, '').replace(/[^\w.-]+/g, '_') || 'model';
  const block = scheme.blockSize === 'per-channel' ? 'pc' : `b${scheme.blockSize}`;
  return `${stem}-q${scheme.bits}-${block}-${scheme.symmetric ? 'sym' : 'asym'}.onnx`;
}
