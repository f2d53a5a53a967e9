// `studio inspect MODEL [--json]`: the model index (tensors, roles, orientation, totals); given a
// llama.cpp importance matrix instead, what it holds (weights, chunks, dataset).
import { TENSOR_ROLES } from '../../core/model-index';
import type { ByteSource } from '../../core/byte-source';
import { IMATRIX_SNIFF_BYTES, readImatrix, sniffImatrixGguf } from '../../formats/imatrix/imatrix-file';
import { openModel } from '../../pipeline/open-model';
import { modelSources } from '../node-files';
import { formatBytes, formatCount, printJson, printLine } from '../output';

export interface InspectArgs {
  model: string;
  json: boolean;
}

/** An importance-matrix file: its entries and provenance instead of a model index. */
async function inspectImatrix(source: ByteSource, json: boolean): Promise<void> {
  const m = await readImatrix(source);
  // GGUF counts tokens per expert; the legacy format counts calls (chunks) instead.
  const countName = m.legacy ? 'calls' : 'tokens';
  const entries = [...m.entries].map(([name, e]) => ({ name, columns: e.sums.length / e.counts.length, experts: e.counts.length, [countName]: Math.max(...e.counts) }));
  if (json) {
    printJson({ kind: 'imatrix', format: m.legacy ? 'legacy .dat' : 'gguf', datasets: m.datasets, chunkCount: m.chunkCount, chunkSize: m.chunkSize, entries });
    return;
  }
  printLine(`${source.name}  (llama.cpp importance matrix, ${m.legacy ? 'legacy .dat' : 'GGUF'}, ${formatBytes(source.byteLength)})`);
  printLine(`${m.entries.size} weights${m.chunkCount ? `, ${formatCount(m.chunkCount)} chunks${m.chunkSize ? ` of ${m.chunkSize} tokens` : ''}` : ''}${m.datasets.length ? ` of ${m.datasets.join(', ')}` : ''}`);
  printLine();
  printLine(`${'weight'.padEnd(40)} ${'columns'.padStart(8)} ${countName.padStart(10)}`);
  for (const e of entries) printLine(`${e.name.padEnd(40)} ${String(e.columns).padStart(8)} ${formatCount(e[countName] as number).padStart(10)}${e.experts > 1 ? ` (${e.experts} experts)` : ''}`);
}

export async function inspectCommand(args: InspectArgs): Promise<void> {
  const sources = await modelSources(args.model);
  const first = sources[0];
  if (/\.dat$/i.test(first.name) || (first.byteLength >= IMATRIX_SNIFF_BYTES && sniffImatrixGguf(await first.read(0, IMATRIX_SNIFF_BYTES)))) {
    return inspectImatrix(first, args.json);
  }
  const model = await openModel(sources);
  const index = model.index;
  if (args.json) {
    printJson(index);
    return;
  }
  printLine(`${index.fileName}  (${index.format}, ${formatBytes(index.fileBytes)} on disk)`);
  printLine(`architecture: ${index.architecture}`);
  printLine(`parameters:   ${formatCount(index.paramCount)}`);
  printLine();
  printLine('role            params        bytes');
  for (const role of TENSOR_ROLES) {
    if (index.paramsByRole[role] === 0) continue;
    printLine(`${role.padEnd(15)} ${formatCount(index.paramsByRole[role]).padStart(11)}  ${formatBytes(index.bytesByRole[role]).padStart(11)}`);
  }
  printLine();
  printLine(`${'layer'.padEnd(40)} ${'role'.padEnd(14)} ${'dtype'.padEnd(6)} ${'shape'.padEnd(14)} [out,in]     tensor`);
  for (const t of index.tensors) {
    const oi = t.layout ? `[${t.layout.rows},${t.layout.cols}]` : '';
    printLine(`${t.layer.padEnd(40)} ${t.role.padEnd(14)} ${String(t.dtype).padEnd(6)} ${`[${t.shape.join(',')}]`.padEnd(14)} ${oi.padEnd(12)} ${t.name}`);
  }
}
