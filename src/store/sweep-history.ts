// The sweep history as people read it: a run's name (when it started, its evaluation settings),
// its best point, and a run as one JSON file (settings, reference and every point) to keep or
// share. Pure functions over SweepState; the panel (ui/sweep/sweep-history.tsx) shows them.
import { modelStem } from '../core/output-names';
import type { SweepPoint, SweepState } from '../core/sweep';

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-03 16:20" in local time; runs saved before the history have no start time. */
export function runStartText(run: Pick<SweepState, 'startedAt'>): string {
  if (!run.startedAt) return 'before the history';
  const d = new Date(run.startedAt);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "W=16 · wasm · WikiText-2": what makes the run's points comparable with each other. */
export function runSettingsText(run: Pick<SweepState, 'request'>): string {
  const { windows, executionProvider, text } = run.request;
  return `W=${windows} · ${executionProvider} · ${text ? 'own text' : 'WikiText-2'}`;
}

/** "2026-12-03 16:20 · W=16 · wasm · WikiText-2": the run's name on charts and in the table. */
export function runLabel(run: Pick<SweepState, 'startedAt' | 'request'>): string {
  return `${runStartText(run)} · ${runSettingsText(run)}`;
}

/** The run's point with the lowest finite perplexity, if any. */
export function bestPoint(points: readonly SweepPoint[]): SweepPoint | null {
  let best: SweepPoint | null = null;
  for (const p of points) if (Number.isFinite(p.ppl) && (!best || p.ppl < best.ppl)) best = p;
  return best;
}

/** "model-sweep-2026-12-03-1620.json". */
export function runFileName(sourceName: string, run: Pick<SweepState, 'startedAt'>): string {
  const stamp = run.startedAt ? runStartText(run).replace(' ', '-').replace(':', '') : 'earlier';
  return `${modelStem(sourceName)}-sweep-${stamp}.json`;
}

/** The whole run: its settings (the request, replayable with `studio sweep`), reference and points with per-tensor errors. */
export function runToJson(run: SweepState, model: string): string {
  const { runId, startedAt, updatedAt, status, request, gridIds, reference, points } = run;
  return JSON.stringify({ protocol: 'wikitext2-w256', model, run: { runId, startedAt: startedAt ? new Date(startedAt).toISOString() : null, updatedAt: updatedAt ? new Date(updatedAt).toISOString() : null, status, gridPoints: gridIds.length }, request, reference, points }, null, 2) + '\n';
}
