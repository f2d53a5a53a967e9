// Derived views of the sweep for the charts and the table: the reference the points compare
// with (the sweep's own, else the original's evaluation at the same W) and the Pareto frontiers.
import { useMemo } from 'react';
import { paretoFrontier } from '../../store/sweep-export';
import { useStudioStore } from '../../store/studio-store';
import type { EvalReport } from '../../core/evaluation';
import type { SweepPoint } from '../../core/sweep';

export function useReference(): EvalReport | null {
  const sweepReference = useStudioStore((s) => s.sweepReference);
  const evalReport = useStudioStore((s) => s.evalReport);
  const sweepWindows = useStudioStore((s) => s.sweepRequest?.windows ?? null);
  if (sweepReference) return sweepReference;
  if (evalReport && (sweepWindows === null || evalReport.windows === sweepWindows)) return evalReport;
  return null;
}

/** The points on the Pareto frontier for the current size axis (or, given, for sparsity). */
export function useFrontier(against?: 'sparsity'): { frontier: SweepPoint[]; ids: ReadonlySet<string> } {
  const points = useStudioStore((s) => s.sweepPoints);
  const sizeAxis = useStudioStore((s) => s.sizeAxis);
  const metric = useStudioStore((s) => s.qualityMetric);
  const axis = against ?? sizeAxis;
  return useMemo(() => {
    const frontier = paretoFrontier(points, axis, metric);
    return { frontier, ids: new Set(frontier.map((p) => p.id)) };
  }, [points, axis, metric]);
}
