// The ONNX graph builder past its size limit (set low here; protobuf's 2 GiB in use, reached by a
// float32 model of about 0.5 B parameters): the weights go to model.onnx_data, _data_1, … beside
// the .onnx, each file within the cap; onnxruntime-node loads the files and gives the logits of the
// single-file graph exactly, and the studio opens them as one model (the CLI's built graph of a
// large checkpoint takes this path). Without a place for the data files it is refused before
// anything is written.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, expect, it } from 'vitest';
import { blobSink, concatChunks } from '../core/byte-sink';
import { bytesSource } from '../core/byte-source';
import { describeWithFixtures, fixtureSource } from '../core/testing/fixtures';
import { fileSink, fileSource } from '../cli/node-files';
import { writeModelOnnx } from './decoder-onnx';
import { openModel } from './open-model';
import { forward } from './testing/decoder-forward';

const FILES = [['models', 'tiny-llama', 'model.safetensors'], ['models', 'tiny-llama', 'config.json']];
const tmp = mkdtempSync(join(tmpdir(), 'decoder-external-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const checkpoint = async () => openModel(await Promise.all(FILES.map((f) => fixtureSource(...f))));

describeWithFixtures('ONNX graph builder with external data', FILES, () => {
  it('puts the weights in capped data files that onnxruntime loads, with the single file’s logits', async () => {
    const model = await checkpoint();
    const single = blobSink();
    const singleBytes = await writeModelOnnx(model, single);
    const dataFiles: string[] = [];
    const sink = await fileSink(join(tmp, 'model.onnx'));
    const written = await writeModelOnnx(model, sink, {
      fileName: 'model.onnx',
      maxModelBytes: 1 << 20,
      maxDataFileBytes: 3 << 20,
      openBeside: (name) => (dataFiles.push(name), fileSink(join(tmp, name))),
    });
    await sink.close();

    expect(dataFiles).toEqual(['model.onnx_data', 'model.onnx_data_1', 'model.onnx_data_2']);
    expect(readdirSync(tmp).sort()).toEqual(['model.onnx', ...dataFiles]);
    const sizes = Object.fromEntries(readdirSync(tmp).map((f) => [f, statSync(join(tmp, f)).size]));
    expect(Object.values(sizes).reduce((a, b) => a + b, 0)).toBe(written);
    for (const f of dataFiles) expect(sizes[f]).toBeLessThanOrEqual(3 << 20);
    // The .onnx keeps the graph and the tensors under 1 KiB: 7.3 MB of weights are outside it.
    expect(sizes['model.onnx']).toBeLessThan(200_000);
    expect(written).toBeGreaterThan(singleBytes); // alignment padding in the data files

    const tokens = Array.from({ length: 24 }, (_, i) => (i * 7919 + 13) % 4096);
    const fromFiles = await ort.InferenceSession.create(join(tmp, 'model.onnx'), { executionProviders: ['cpu'] });
    const fromSingle = await ort.InferenceSession.create(concatChunks(single.chunks), { executionProviders: ['cpu'] });
    expect((await forward(fromFiles, tokens)).logits).toEqual((await forward(fromSingle, tokens)).logits);

    const opened = await openModel(await Promise.all(['model.onnx', ...dataFiles].map((f) => fileSource(join(tmp, f), f))));
    const reference = await openModel([await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx')]);
    expect(opened.index.tensors.length).toBe(reference.index.tensors.length);
    const embed = opened.index.tensors.find((t) => t.role === 'embedding')!;
    expect(await opened.readTensor(embed.name)).toEqual(await (await openModel([bytesSource(concatChunks(single.chunks), 'model.onnx')])).readTensor(embed.name));
  }, 120_000);

  it('refuses, before writing, a graph past the limit with nowhere to put its data', async () => {
    const sink = blobSink();
    await expect(writeModelOnnx(await checkpoint(), sink, { maxModelBytes: 1 << 20 })).rejects.toThrow(
      /the ONNX graph would be \d+ bytes: past protobuf's 2 GiB its weights go to 1 external data file\(s\) beside the \.onnx, and this output takes a single file/,
    );
    expect(sink.chunks.length).toBe(0);
  });
});
