// Evaluation settings shared by "evaluate the original" and sweeps (docs/EVAL.md `wikitext2-w256`:
// W windows of 256 tokens; execution provider; the bundled wikitext-2 excerpt or the user's own
// text), and evaluations of the original model, the last compressed result and any sweep point.
// Every finished evaluation joins the model's evaluation history (the worker keeps it in
// IndexedDB): none replaces another; the latest of the original and of the result are also kept
// apart for the panels that compare with them. Progress goes to sweep-progress.ts.
import type { StateCreator } from 'zustand';
import type { EvalBackend, EvalReport, EvalRequest, EvalSubject, EvaluationRecord } from '../core/evaluation';
import { progressCallback } from '../workers/studio-client';
import { studioClient } from './studio-client';
import { setEvalProgress } from './sweep-progress';
import { toSweepError, type SweepError } from './sweep-errors';
import type { StudioState } from './studio-state';

export const EVAL_WINDOW_CHOICES: readonly number[] = [4, 8, 16, 32, 64];
export type EvalTextSource = 'bundled' | 'user';

export interface EvalSlice {
  evalWindows: number;
  evalBackend: EvalBackend;
  evalTextSource: EvalTextSource;
  /** The user's own evaluation text (typed or read from a file). */
  evalUserText: string;
  /** Name of the file the user text came from ('' when typed). */
  evalUserTextName: string;
  evalStatus: 'idle' | 'running' | 'cancelling';
  /** Perplexity of the original model with the settings it was run with. */
  evalReport: EvalReport | null;
  /** Perplexity of the last compressed result (cleared by a new run). */
  resultEval: EvalReport | null;
  /** What the running evaluation scores. */
  evalSubject: EvalSubject;
  evalError: SweepError | null;
  /** Every evaluation of the model, newest first (this session's and earlier ones'). */
  evaluations: EvaluationRecord[];
  /** The evaluation deleted last, until undone or another is deleted. */
  deletedEvaluation: EvaluationRecord | null;
  /** The last evaluation could not be saved (storage full): it is on the page only. */
  evalSaveWarning: string | null;
  setEvalWindows(windows: number): void;
  setEvalBackend(backend: EvalBackend): void;
  setEvalTextSource(source: EvalTextSource): void;
  setEvalUserText(text: string, fileName?: string): void;
  evaluateOriginal(): Promise<void>;
  /** Scores the last compressed result with the same settings. */
  evaluateResult(): Promise<void>;
  /** Scores the selected sweep point with the Perplexity panel's settings (e.g. more windows than the sweep's). */
  evaluateSelectedPoint(): Promise<void>;
  refreshEvaluations(): Promise<void>;
  /** Deletes an evaluation from the history (the page asks first); `undoDeleteEvaluation` puts it back. */
  deleteEvaluation(id: string): Promise<void>;
  undoDeleteEvaluation(): Promise<void>;
  cancelEvaluate(): void;
}

/** The evaluation part of a request, from the form. */
export function evalRequest(s: Pick<EvalSlice, 'evalWindows' | 'evalBackend' | 'evalTextSource' | 'evalUserText'>): EvalRequest {
  // "My own text" sends the text even when empty: the worker refuses it with the reason.
  return { windows: s.evalWindows, executionProvider: s.evalBackend, ...(s.evalTextSource === 'user' ? { text: s.evalUserText } : {}) };
}

export const createEvalSlice: StateCreator<StudioState, [], [], EvalSlice> = (set, get, api) => {
  async function evaluate(subject: EvalSubject, point?: { pointId: string; runId?: string }): Promise<void> {
    const s = get();
    if (!s.model || s.evalStatus !== 'idle' || s.sweepStatus !== 'idle' || s.jobStatus !== 'idle') return;
    if (subject === 'result' && !s.report) return;
    const modelSerial = s.modelSerial;
    set({ evalStatus: 'running', evalSubject: subject, evalError: null });
    setEvalProgress(null);
    try {
      const record = await studioClient().evaluate({ ...evalRequest(s), subject, ...point }, progressCallback(setEvalProgress));
      if (get().modelSerial !== modelSerial) return;
      const latest = subject === 'original' ? { evalReport: record.report } : subject === 'result' ? { resultEval: record.report } : {};
      set((st) => ({ ...latest, evaluations: [record, ...st.evaluations.filter((e) => e.id !== record.id)] }));
      set({ evalSaveWarning: record.notSaved ? `${record.notSaved} This evaluation is on the page only.` : null });
    } catch (error) {
      if (get().modelSerial === modelSerial) set({ evalError: toSweepError(error) });
    } finally {
      set({ evalStatus: 'idle' });
      setEvalProgress(null);
    }
  }

  // A new model: its own numbers only (and its own history).
  api.subscribe((s, prev) => {
    if (s.modelSerial === prev.modelSerial) return;
    set({ evalReport: null, resultEval: null, evalError: null, evaluations: [], deletedEvaluation: null });
    if (s.model) void get().refreshEvaluations();
  });

  return {
    evalWindows: 16,
    evalBackend: 'auto',
    evalTextSource: 'bundled',
    evalUserText: '',
    evalUserTextName: '',
    evalStatus: 'idle',
    evalReport: null,
    resultEval: null,
    evalSubject: 'original',
    evalError: null,
    evaluations: [],
    deletedEvaluation: null,
    evalSaveWarning: null,
    setEvalWindows: (evalWindows) => set({ evalWindows: Math.max(1, Math.round(evalWindows) || 1) }),
    setEvalBackend: (evalBackend) => set({ evalBackend }),
    setEvalTextSource: (evalTextSource) => set({ evalTextSource }),
    setEvalUserText: (evalUserText, fileName = '') => set({ evalUserText, evalUserTextName: fileName }),

    evaluateOriginal: () => evaluate('original'),
    evaluateResult: () => evaluate('result'),
    evaluateSelectedPoint: () => {
      const { selectedPointId, sweepRunId } = get();
      return selectedPointId ? evaluate('point', { pointId: selectedPointId, ...(sweepRunId ? { runId: sweepRunId } : {}) }) : Promise.resolve();
    },

    async refreshEvaluations() {
      const modelSerial = get().modelSerial;
      try {
        const evaluations = await studioClient().evaluationHistory();
        if (get().modelSerial !== modelSerial) return;
        // The original's latest evaluation comes back with the model, as the sweep's points do.
        const original = evaluations.find((e) => e.subject === 'original');
        set((s) => ({ evaluations, evalReport: s.evalReport ?? original?.report ?? null }));
      } catch (error) {
        if (get().modelSerial === modelSerial) set({ evalError: toSweepError(error) });
      }
    },

    async deleteEvaluation(id) {
      const record = get().evaluations.find((e) => e.id === id);
      if (!record) return;
      try {
        await studioClient().deleteEvaluation(id);
        set((s) => ({ deletedEvaluation: record, evaluations: s.evaluations.filter((e) => e.id !== id) }));
      } catch (error) {
        set({ evalError: toSweepError(error) });
      }
    },

    async undoDeleteEvaluation() {
      const record = get().deletedEvaluation;
      if (!record) return;
      try {
        await studioClient().restoreEvaluation(record);
        set((s) => ({ deletedEvaluation: null, evaluations: [...s.evaluations, record].sort((a, b) => b.at - a.at) }));
      } catch (error) {
        set({ evalError: toSweepError(error) });
      }
    },

    cancelEvaluate() {
      if (get().evalStatus !== 'running') return;
      set({ evalStatus: 'cancelling' });
      void studioClient().cancel();
    },
  };
};
