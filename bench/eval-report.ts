// The printed report of bench/eval.ts: the machine (CPU, memory, both WebGPU adapters), the
// evaluation-throughput table (src/eval/eval-bench.ts) and the sweep-point table (ms and shares).
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { formatEvalBenchTable, type EvalBenchRow } from '../src/eval/eval-bench';
import type { GpuAdapterIdentity } from '../src/core/gpu-adapter';
import type { BrowserBenchResult } from './eval-browser';
import type { SweepBenchResult } from './eval-sweep';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the bench started (the box may be shared). */
  loadAverageAtStart: number[];
}

export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function adapterText(a: { vendor: string; architecture: string; description: string } | null | undefined): string {
  if (!a) return 'none';
  const name = [a.vendor, a.architecture].filter(Boolean).join(' / ') || 'unknown';
  return a.description ? `${a.description} (${name})` : name;
}

/** A plain-text table: the first `left` columns (or those listed) left-aligned, the rest right-aligned. */
export function textTable(header: string[], cells: string[][], left: number | readonly number[] = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const isLeft = (i: number) => (typeof left === 'number' ? i < left : left.includes(i));
  const line = (c: string[]) => c.map((x, i) => (isLeft(i) ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function formatSweepTable(result: SweepBenchResult): string {
  const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)} %`;
  const header = ['model', 'point', 'W', 'quantize ms', 'evaluate ms', 'other ms', 'point ms', 'quantize', 'evaluate', 'ppl', 'bits/w'];
  const cells = result.rows.map((r) => [
    r.model,
    r.point,
    String(r.windows),
    r.quantizeMs.toFixed(0),
    r.evalMs.toFixed(0),
    r.otherMs.toFixed(0),
    r.wallMs.toFixed(0),
    pct(r.quantizeMs, r.wallMs),
    pct(r.evalMs, r.wallMs),
    r.ppl.toFixed(4),
    r.bitsPerWeight.toFixed(2),
  ]);
  const refs = Object.entries(result.referencePpl).map(([m, p]) => `${m} ${p.toFixed(4)}`);
  return `${textTable(header, cells, 2)}\nunquantized ppl at the same W: ${refs.join(', ')}`;
}

export interface EvalReport {
  machine: MachineInfo;
  nodeRows: EvalBenchRow[];
  nodeThreads: number | 'default';
  browser?: BrowserBenchResult;
  browserError?: string;
  sweep?: SweepBenchResult;
  sweepError?: string;
}

export function formatReport(r: EvalReport): string {
  const m = r.machine;
  const out: string[] = [
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, load average ${m.loadAverageAtStart.join(' / ')} at start`,
  ];
  if (r.sweep) out.push(`Node WebGPU (Dawn, quantize): ${adapterText(r.sweep.adapter)}`);
  if (r.browser) {
    const env = r.browser.environment;
    const f16 = env.adapter ? (env.adapter.hasShaderF16 ? ', shader-f16' : ', no shader-f16') : '';
    out.push(
      `browser: Chromium ${r.browser.browserVersion}, WebGPU adapter ${adapterText(env.adapter)}${f16}` +
        `${env.adapterError ? ` (${env.adapterError})` : ''}, crossOriginIsolated ${env.crossOriginIsolated}`,
    );
  }
  out.push('', 'Perplexity evaluation throughput (wikitext2-w256; the warm-up window is not timed)');
  const browserRows = r.browser?.rows ?? [];
  out.push(formatEvalBenchTable([...r.nodeRows, ...browserRows]));
  out.push(`onnxruntime-node threads: ${r.nodeThreads}`);
  const wasm = browserRows.find((b) => b.executionProvider === 'wasm');
  if (wasm) out.push(`onnxruntime-web wasm threads: ${wasm.wasmThreads}`);
  for (const b of browserRows) {
    if (b.fallbackReason) out.push(`${b.model}: ${b.requestedExecutionProvider} was asked for, ran on ${b.executionProvider}: ${b.fallbackReason}`);
  }
  for (const f of r.browser?.failures ?? []) out.push(`${f.model} ${f.executionProvider} failed: ${f.message}`);
  if (r.browserError) out.push(`browser half failed: ${r.browserError}`);
  if (r.sweep) {
    out.push('', `Sweep points (RTN asym, all matmuls; quantize on Node WebGPU, evaluate on onnxruntime-node ${r.sweep.evalExecutionProvider})`);
    out.push(formatSweepTable(r.sweep));
    out.push('shares are of point ms; quantize includes shader compilation the first time a bit width is seen; other = exact export size');
  }
  if (r.sweepError) out.push(`sweep half failed: ${r.sweepError}`);
  return out.join('\n');
}
