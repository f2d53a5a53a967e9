// The live "N tensors match" of the quantize form, with the worker's own rule (core/tensor-filter.ts).
import { useMemo } from 'react';
import { countMatches, type MatchCount } from '../store/selection';
import { useStudioStore } from '../store/studio-store';

export function useMatchCount(): MatchCount {
  const tensors = useStudioStore((s) => s.model?.index.tensors);
  const selectionMode = useStudioStore((s) => s.selectionMode);
  const include = useStudioStore((s) => s.include);
  const exclude = useStudioStore((s) => s.exclude);
  return useMemo(
    () => (tensors ? countMatches(tensors, { selectionMode, include, exclude }) : { ok: true, count: 0, bytes: 0 }),
    [tensors, selectionMode, include, exclude],
  );
}
