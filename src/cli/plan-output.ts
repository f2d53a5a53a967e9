// How the CLI shows a plan or a finished run: the JSON object of the issue ({ inputBytes,
// outputBytes, bitsPerWeight, tensors: [{ name, layer, rule, method, bits, group, bytes,
// relError }] }, relError only after a run; sparsity, gzipBytes, calibration and parameters when a
// recipe prunes), or a table: tensor → rule → method → bytes.
import type { CompressReport, TensorReport } from '../core/compression-report';
import { formatBytes, printJson, printLine } from './output';

function tensorJson(t: TensorReport, withError: boolean) {
  const out: Record<string, unknown> = { name: t.name, layer: t.layer, rule: t.rule, method: t.method };
  if (t.bits !== undefined) out.bits = t.bits;
  if (t.storedBits !== undefined) out.storedBits = t.storedBits;
  if (t.group !== undefined) out.group = t.group;
  if (t.type !== undefined) out.type = t.type;
  if (t.prune !== undefined) out.prune = t.prune;
  out.encoding = t.encoding;
  out.bytes = t.bytes;
  if (withError) out.relError = t.relError;
  if (withError && t.prune !== undefined) out.sparsity = t.sparsity;
  if (t.notes.length) out.notes = t.notes;
  return out;
}

export function printReportJson(report: CompressReport, ran: boolean): void {
  printJson({
    inputBytes: report.inputBytes,
    outputBytes: report.outputBytes,
    bitsPerWeight: report.bitsPerWeight,
    ...(report.gzipBytes !== undefined ? { gzipBytes: report.gzipBytes } : {}),
    ...(report.sparsity && ran ? { sparsity: report.sparsity } : {}),
    ...(report.calibration ? { calibration: report.calibration } : {}),
    ...(report.parameters ? { parameters: report.parameters } : {}),
    ...(report.notes.length ? { notes: report.notes } : {}),
    tensors: report.tensors.map((t) => tensorJson(t, ran)),
  });
}

export function printReportTable(report: CompressReport, ran: boolean): void {
  const ruleName = (t: TensorReport) => (t.rule === null ? 'none' : `${t.rule}${report.ruleSources[t.rule] === 'recipe' ? '' : ` (${report.ruleSources[t.rule]})`}`);
  printLine(`${'layer'.padEnd(36)} ${'rule'.padEnd(16)} ${'method'.padEnd(22)} ${'bytes'.padStart(11)}${ran ? '  rel. error' : ''}`);
  for (const t of report.tensors) {
    const err = ran && t.relError !== null ? `  ${t.relError.toFixed(5)}` : '';
    printLine(`${t.layer.padEnd(36)} ${ruleName(t).padEnd(16)} ${t.label.padEnd(22)} ${formatBytes(t.bytes).padStart(11)}${err}`);
    for (const n of t.notes) printLine(`${''.padEnd(36)} note: ${n}`);
  }
  const quantized = report.tensors.filter((t) => t.method !== 'keep').length;
  printLine();
  printLine(`${report.tensors.length} tensors (${quantized} quantized), ${report.bitsPerWeight.toFixed(3)} bits per quantized weight`);
  printLine(`output ${formatBytes(report.outputBytes)} (${report.outputBytes} bytes)${report.gzipBytes !== undefined ? `, ${formatBytes(report.gzipBytes)} gzipped` : ''}, input ${formatBytes(report.inputBytes)}`);
  if (report.parameters) printLine(`parameters ${report.parameters.before} → ${report.parameters.after}${report.parameters.mlpWidth ? ` (MLP width ${report.parameters.mlpWidth.from} → ${report.parameters.mlpWidth.to})` : ''}`);
  if (ran && report.sparsity) printLine(`sparsity ${(report.sparsity.pruned * 100).toFixed(2)} % of the pruned tensors, ${(report.sparsity.model * 100).toFixed(2)} % of the model (counted zeros)`);
  if (report.calibration) printLine(`calibration: ${report.calibration.tokens} tokens (${report.calibration.windows} windows of ${report.calibration.text})`);
  for (const n of report.notes) printLine(`note: ${n}`);
}
