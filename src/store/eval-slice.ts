// Evaluation settings shared by "evaluate the original" and sweeps (docs/EVAL.md `wikitext2-w256`:
// W windows of 256 tokens; execution provider; the bundled wikitext-2 excerpt or the user's own
// text), and the evaluation of the original model and of the last compressed result, each with its
// report. Progress goes to sweep-progress.ts.
import type { StateCreator } from 'zustand';
import type { EvalBackend, EvalReport, EvalRequest } from '../core/evaluation';
import type { EvalSubject } from '../workers/studio-api';
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
  setEvalWindows(windows: number): void;
  setEvalBackend(backend: EvalBackend): void;
  setEvalTextSource(source: EvalTextSource): void;
  setEvalUserText(text: string, fileName?: string): void;
  evaluateOriginal(): Promise<void>;
  /** Scores the last compressed result with the same settings. */
  evaluateResult(): Promise<void>;
  cancelEvaluate(): void;
}

/** The evaluation part of a request, from the form. */
export function evalRequest(s: Pick<EvalSlice, 'evalWindows' | 'evalBackend' | 'evalTextSource' | 'evalUserText'>): EvalRequest {
  // "My own text" sends the text even when empty: the worker refuses it with the reason.
  return { windows: s.evalWindows, executionProvider: s.evalBackend, ...(s.evalTextSource === 'user' ? { text: s.evalUserText } : {}) };
}

export const createEvalSlice: StateCreator<StudioState, [], [], EvalSlice> = (set, get, api) => {
  async function evaluate(subject: EvalSubject): Promise<void> {
    const s = get();
    if (!s.model || s.evalStatus !== 'idle' || s.sweepStatus !== 'idle' || s.jobStatus !== 'idle') return;
    if (subject === 'result' && !s.report) return;
    const modelSerial = s.modelSerial;
    set({ evalStatus: 'running', evalSubject: subject, evalError: null });
    setEvalProgress(null);
    try {
      const report = await studioClient().evaluate({ ...evalRequest(s), subject }, progressCallback(setEvalProgress));
      if (get().modelSerial === modelSerial) set(subject === 'original' ? { evalReport: report } : { resultEval: report });
    } catch (error) {
      if (get().modelSerial === modelSerial) set({ evalError: toSweepError(error) });
    } finally {
      set({ evalStatus: 'idle' });
      setEvalProgress(null);
    }
  }

  // A new model: its own numbers only.
  api.subscribe((s, prev) => {
    if (s.modelSerial !== prev.modelSerial) set({ evalReport: null, resultEval: null, evalError: null });
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
    setEvalWindows: (evalWindows) => set({ evalWindows: Math.max(1, Math.round(evalWindows) || 1) }),
    setEvalBackend: (evalBackend) => set({ evalBackend }),
    setEvalTextSource: (evalTextSource) => set({ evalTextSource }),
    setEvalUserText: (evalUserText, fileName = '') => set({ evalUserText, evalUserTextName: fileName }),

    evaluateOriginal: () => evaluate('original'),
    evaluateResult: () => evaluate('result'),

    cancelEvaluate() {
      if (get().evalStatus !== 'running') return;
      set({ evalStatus: 'cancelling' });
      void studioClient().cancel();
    },
  };
};
