// The one message banner of the page: what went wrong (or was cancelled), for a person.
// Errors keep their `code` so the UI can explain them (STYLE.md "Errors": switch on code).
import type { StateCreator } from 'zustand';
import type { StudioErrorCode } from '../core/errors';
import type { StudioState } from './studio-state';

/** Which step a notice came from: the banner words its title after it. */
export type NoticeStep = 'load' | 'compress' | 'export' | 'recipe' | 'budget';

export interface Notice {
  step: NoticeStep;
  /** StudioError code, or 'unknown' for an unexpected error. */
  code: StudioErrorCode | 'unknown';
  message: string;
  /** Offending file, when the error names one. */
  file?: string;
}

export interface NoticeSlice {
  notice: Notice | null;
  /** `file`: what the error is about when the error itself does not say (a recipe file). */
  showError(step: NoticeStep, error: unknown, file?: string): void;
  dismissNotice(): void;
}

/** Reads `code` off a thrown value without instanceof (errors cross the worker boundary). */
export function toNotice(step: NoticeStep, error: unknown, fallbackFile?: string): Notice {
  const e = error as { code?: unknown; message?: unknown; details?: { file?: unknown } } | null;
  const code = typeof e?.code === 'string' ? (e.code as StudioErrorCode) : 'unknown';
  const message = typeof e?.message === 'string' && e.message ? e.message : String(error);
  const file = typeof e?.details?.file === 'string' ? e.details.file : fallbackFile;
  return { step, code, message, file };
}

export const createNoticeSlice: StateCreator<StudioState, [], [], NoticeSlice> = (set) => ({
  notice: null,
  showError: (step, error, file) => set({ notice: toNotice(step, error, file) }),
  dismissNotice: () => set({ notice: null }),
});
