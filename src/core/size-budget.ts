// A size budget as the page, the worker and the CLI speak of it (pipeline/budget/size-budget.ts
// computes it): the target, and what the chosen recipe is predicted to cost beside the uniform
// settings it was chosen among.
import type { OutputFormat } from './compression-plan';
import type { EvalBackend } from './evaluation';
import type { Recipe } from './recipe';

/** Bits per quantized weight (as plans count them) or bytes of the whole output. */
export type BudgetTarget = { bitsPerWeight: number } | { bytes: number };

/** How losses were predicted: calibrated output errors scaled by a KL probe per weight, or the output errors alone. */
export type BudgetSensitivity = 'kl-probe' | 'output-error';

export interface BudgetRequest {
  target: BudgetTarget;
  format: OutputFormat;
  /** The onnxruntime backend calibration and the KL probes run on. */
  backend?: EvalBackend;
  /** The calibration text ('builtin' or a loaded file's name) and windows. */
  calibration: { text: string; windows: number };
}

/** What the page shows of a budget: its recipe, size and predicted loss, and the uniform settings' figures. */
export interface BudgetSummary {
  recipe: Recipe;
  bitsPerWeight: number;
  /** Bytes the quantized weights take, and may take. */
  bytes: number;
  budgetBytes: number;
  loss: number;
  sensitivity: BudgetSensitivity;
  uniform: { label: string; bytes: number; bitsPerWeight: number; loss: number }[];
  calibrationTokens: number;
}

/** Calibration windows a budget runs by default (per-column sums of squares settle quickly). */
export const BUDGET_CALIBRATION_WINDOWS = 32;
/** Calibration windows each weight's KL probe scores. */
export const BUDGET_PROBE_WINDOWS = 4;

/** The uniform setting a budget is compared with: the largest that fits it (of equal sizes, the least loss: 3-bit codes take 4-bit containers). */
export function largestUniformWithin<U extends { bytes: number; loss: number }>(uniform: readonly U[], budgetBytes: number): U | undefined {
  return uniform.filter((u) => u.bytes <= budgetBytes).sort((a, b) => b.bytes - a.bytes || a.loss - b.loss)[0];
}
