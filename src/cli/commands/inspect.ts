// `studio inspect MODEL [--json]`: the model index (tensors, roles, orientation, totals).
import { TENSOR_ROLES } from '../../core/model-index';
import { openModel } from '../../pipeline/open-model';
import { modelSources } from '../node-files';
import { formatBytes, formatCount, printJson, printLine } from '../output';

export interface InspectArgs {
  model: string;
  json: boolean;
}

export async function inspectCommand(args: InspectArgs): Promise<void> {
  const model = await openModel(await modelSources(args.model));
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
