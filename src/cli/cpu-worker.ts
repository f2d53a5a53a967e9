// One CPU thread of the CLI's pool (cli/cpu-pool.ts), bundled on its own into
// .cli-build/cpu-worker.mjs: quantizes a slice of whole rows into llama.cpp blocks with the
// TypeScript reference and measures its error (the sums, so the pool can add the slices up).
import { parentPort } from 'node:worker_threads';
import { dequantizeGgmlRef, quantizeGgmlRef } from '../quant/ggml/ggml-codec';
import { RelativeErrorSum } from '../quant/metrics';
import type { CpuTask, CpuTaskResult } from './cpu-pool';

parentPort!.on('message', (task: CpuTask) => {
  let reply: CpuTaskResult;
  try {
    const bytes = quantizeGgmlRef(task.type, task.values, task.importance);
    const sum = new RelativeErrorSum();
    sum.add(task.values, dequantizeGgmlRef(task.type, bytes));
    reply = { id: task.id, bytes, ...sum.sums };
  } catch (e) {
    reply = { id: task.id, error: (e as Error).message };
  }
  parentPort!.postMessage(reply, 'bytes' in reply ? [reply.bytes.buffer as ArrayBuffer] : []);
});
