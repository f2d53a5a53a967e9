// The runs compared with the shown one, each with its colour (by its place in the history) and
// name: the trade-off chart draws their points hollow, the table lists them with a Run column.
import { useMemo } from 'react';
import type { SweepState } from '../../core/sweep';
import { comparedRuns } from '../../store/sweep-slice';
import { runLabel, runStartText } from '../../store/sweep-history';
import { useStudioStore } from '../../store/studio-store';
import { comparedRunColor } from './point-style';

export interface ComparedRun {
  run: SweepState;
  color: string;
  /** "2026-12-03 16:20 · W=16 · wasm · WikiText-2" (legend, tooltips). */
  label: string;
  /** "16:20 · W=16" (the table's Run column; the row's tooltip has the whole label). */
  shortLabel: string;
}

export function useComparedRuns(): ComparedRun[] {
  const history = useStudioStore((s) => s.sweepHistory);
  const ids = useStudioStore((s) => s.comparedRunIds);
  const openId = useStudioStore((s) => s.sweepRunId);
  return useMemo(
    () =>
      comparedRuns({ sweepHistory: history, comparedRunIds: ids, sweepRunId: openId }).map((run) => ({
        run,
        color: comparedRunColor(history.indexOf(run)),
        label: runLabel(run),
        shortLabel: `${run.startedAt ? runStartText(run).slice(11) : 'earlier'} · W=${run.request.windows}`,
      })),
    [history, ids, openId],
  );
}
