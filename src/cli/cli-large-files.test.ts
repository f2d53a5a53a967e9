// Files over 4 GiB in the CLI. Node 20's fs.openAsBlob reported their sizes modulo 4 GiB
// (nodejs/node#52585): a 4.9 GB safetensors shard or a 6 GB ONNX external data file looked
// truncated. The files here are sparse — a hole, then real bytes past 4 GiB — so they take a few
// kilobytes of disk however large they claim to be.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithFixtures, fixtureSource } from '../core/testing/fixtures';
import { openOnnx } from '../formats/onnx/onnx-reader';
import { externalize } from '../formats/onnx/testing/derived-models';
import { openSafetensors, readSafetensorsFloats } from '../formats/safetensors/safetensors-reader';
import { fileSource } from './node-files';
import { runCli } from './run-cli';

const tmp = mkdtempSync(join(tmpdir(), 'studio-large-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Past 4 GiB, and not a multiple of it, so a size taken modulo 2^32 cannot pass for it. */
const BEYOND_4_GIB = 4.5 * 2 ** 30;

/** Writes `bytes` at `position` of the file (a new one with 'w'); what lies before, unwritten, is a hole. */
async function writeAt(path: string, position: number, bytes: Uint8Array, flags: 'w' | 'r+' = 'w'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.write(bytes, 0, bytes.byteLength, position);
  } finally {
    await handle.close();
  }
}

describe('files over 4 GiB', () => {
  it('a safetensors file with a tensor past 4.5 GiB: its size is right, inspect lists it, and its values read back', async () => {
    const padElements = BEYOND_4_GIB / 4;
    const header = JSON.stringify({
      pad: { dtype: 'F32', shape: [padElements], data_offsets: [0, BEYOND_4_GIB] },
      w: { dtype: 'F32', shape: [4], data_offsets: [BEYOND_4_GIB, BEYOND_4_GIB + 16] },
    }).padEnd(256, ' ');
    const head = new Uint8Array(8 + header.length);
    new DataView(head.buffer).setBigUint64(0, BigInt(header.length), true);
    head.set(new TextEncoder().encode(header), 8);
    const path = join(tmp, 'big.safetensors');
    await writeAt(path, 0, head);
    await writeAt(path, head.byteLength + BEYOND_4_GIB, new Uint8Array(new Float32Array([1.5, -2, 3.25, 4]).buffer), 'r+');

    const source = await fileSource(path);
    expect(source.byteLength).toBe(head.byteLength + BEYOND_4_GIB + 16);
    const file = await openSafetensors(source);
    expect(Array.from(await readSafetensorsFloats(file, 'w'))).toEqual([1.5, -2, 3.25, 4]);

    const r = await runCli(['inspect', path, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const tensors = JSON.parse(r.stdout).tensors as { name: string; shape: number[] }[];
    expect(tensors.map((t) => [t.name, t.shape])).toEqual([
      ['pad', [padElements]],
      ['w', [4]],
    ]);
  });

  it('a read past the end of a file names the file and the range', async () => {
    const path = join(tmp, 'short.bin');
    await writeFile(path, new Uint8Array(10));
    await expect((await fileSource(path)).read(8, 4)).rejects.toThrow(/needs bytes up to 12 but has 10/);
  });
});

describeWithFixtures('an ONNX model whose external data lies past 4.5 GiB', [['models', 'tiny-llama', 'onnx', 'model.onnx']], () => {
  it('quantizes to the same file as with its data at the start of the data file', async () => {
    const model = await openOnnx([await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx')]);
    const results: Buffer[] = [];
    for (const [name, base] of [['near', 0], ['far', BEYOND_4_GIB]] as const) {
      const folder = mkdtempSync(join(tmp, `${name}-`));
      const { model: graph, data } = await externalize(model, 'model.onnx_data', 1024, base);
      await writeFile(join(folder, 'model.onnx'), await graph.read(0, graph.byteLength));
      await writeAt(join(folder, 'model.onnx_data'), base, await data.read(0, data.byteLength));
      const out = join(folder, 'q4.onnx');
      const r = await runCli(['quantize', join(folder, 'model.onnx'), '-o', out, '--bits', '4', '--block', '32']);
      expect(r.code, r.stderr).toBe(0);
      results.push(readFileSync(out));
    }
    expect(results[1].byteLength).toBeGreaterThan(500_000);
    expect(Buffer.compare(results[0], results[1])).toBe(0);
  });
});
