// The live "N tensors match" of the sweep's custom patterns, by the resolver's own rule
// (core/rule-match.ts over the rules the selection means).
import type { TensorInfo } from '../core/model-index';
import { compileMatch, compressibleTensors, firstMatch, ruleMatchers } from '../core/rule-match';
import { selectionRules, type TensorSelection } from '../core/tensor-selection';

export type MatchCount = { ok: true; count: number; bytes: number } | { ok: false; message: string };

export function countSelection(tensors: readonly TensorInfo[], selection: TensorSelection): MatchCount {
  if (selection.kind === 'custom') {
    for (const [what, pattern] of [['The include pattern', selection.include], ['The exclude pattern', selection.exclude]] as const) {
      if (pattern === undefined) continue;
      try {
        compileMatch(pattern, 0);
      } catch (e) {
        return { ok: false, message: `${what} ${(e as Error).message.replace(/^rule 0: "match" /, '')}` };
      }
    }
  }
  const rules = selectionRules(selection, { quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } });
  const matchers = ruleMatchers(rules);
  let count = 0;
  let bytes = 0;
  for (const t of compressibleTensors(tensors)) {
    const i = firstMatch(matchers, t);
    if (i !== null && rules[i].quantize) {
      count++;
      bytes += t.byteLength;
    }
  }
  return { ok: true, count, bytes };
}
