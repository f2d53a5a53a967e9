// `--threads N` on the CPU references (--device cpu): llama.cpp types quantized by a pool of
// worker threads, a slice of whole rows each, write the bytes of one thread — with and without an
// importance matrix, on small-llama's F16 GGUF, whose 57 weights are each cut into many slices —
// and the report names the threads. A bad count is a usage error.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { runCli } from './run-cli';

const SOURCE = ['models', 'small-llama', 'gguf', 'model-f16.gguf'];
const IMATRIX = ['models', 'small-llama', 'gguf', 'llama.cpp-imatrix', 'imatrix.gguf'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-threads-'));

async function convert(threads: number, extra: string[]): Promise<Buffer> {
  const out = join(tmp, `out-${threads}-${extra.length}.gguf`);
  const r = await runCli(['convert', fixturePath(...SOURCE), '-o', out, '--type', 'Q4_K_M', '--device', 'cpu', '--threads', String(threads), ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(out);
}

describeWithFixtures('studio --threads (CPU references in worker threads)', [SOURCE, IMATRIX], () => {
  it('Q4_K_M in 3 threads is byte for byte the file of one, with and without --imatrix', async () => {
    for (const extra of [[], ['--imatrix', fixturePath(...IMATRIX)]]) {
      const [one, three] = await Promise.all([convert(1, extra), convert(3, extra)]);
      expect(three.byteLength).toBeGreaterThan(4_000_000);
      expect(Buffer.compare(one, three)).toBe(0);
    }
  }, 120_000);

  it('the report says how many threads computed it; --threads 0 is a usage error', async () => {
    const out = join(tmp, 'compress.gguf');
    const recipe = join(tmp, 'q4_k_m.json');
    const printed = await runCli(['convert', fixturePath(...SOURCE), '-o', out, '--type', 'Q4_K_M', '--print-recipe']);
    writeFileSync(recipe, printed.stdout);
    const r = await runCli(['compress', fixturePath(...SOURCE), '--recipe', recipe, '-o', out, '--device', 'cpu', '--threads', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/on CPU reference, 2 threads$/m);
    const bad = await runCli(['convert', fixturePath(...SOURCE), '-o', out, '--threads', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--threads must be a whole number ≥ 1, got "0"/);
  }, 60_000);
});
