// The evaluation history as a CSV file: one row per evaluation, what was scored and how.
import type { EvaluationRecord } from '../core/evaluation';
import { csvText } from './csv';

const COLUMNS = ['finished', 'subject', 'label', 'recipe_id', 'ppl', 'kl', 'top1_agreement', 'windows', 'tokens_scored', 'text', 'execution_provider', 'tokens_per_second'] as const;

export function evaluationsToCsv(records: readonly EvaluationRecord[]): string {
  const rows = records.map(({ at, subject, label, recipeId, report }) => [
    new Date(at).toISOString(),
    subject,
    label,
    recipeId ?? '',
    report.ppl.toFixed(4),
    report.kl ? report.kl.mean.toExponential(4) : '',
    report.kl ? report.kl.top1Agreement.toFixed(4) : '',
    report.windows,
    report.tokensScored,
    report.textSource,
    report.executionProvider,
    Math.round(report.tokensPerSecond),
  ]);
  return csvText(COLUMNS, rows);
}
