// External data on the way out, at the writer: which tensors move, the file names and limits, and
// that a quantized weight streams as a whole — each weight is loaded once, only when the data
// file reaches it, and let go before the next (the .onnx, written first, holds none of its parts,
// so nothing waits in memory for the data file). Runs in onnxruntime: cli-onnx-external-data.test.ts.
import { expect, it } from 'vitest';
import { blobSink, concatChunks } from '../../core/byte-sink';
import type { IntGroupTensor } from '../../core/compressed-tensor';
import { describeWithFixtures, fixtureSource } from '../../core/testing/fixtures';
import { bytesSource } from '../../core/byte-source';
import { openOnnx } from './onnx-reader';
import { type OnnxEdit, writeOnnx } from './onnx-writer';
import { quantizeModel } from './testing/quantize-model';

describeWithFixtures('ONNX external data, written', [['models', 'tiny-llama', 'onnx', 'model.onnx']], () => {
  it('moves every written tensor and the large source ones out; each quantized weight is loaded once, as the data file reaches it', async () => {
    const model = await openOnnx([await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx')]);
    const { quantized } = await quantizeModel(model, { bits: 4, symmetric: false, group: 32 });
    const events: string[] = [];
    const pending = new Map(
      [...quantized].map(([name, q]) => [name, { ...(q as IntGroupTensor), load: async () => (events.push(`load ${name}`), q as IntGroupTensor) }]),
    );
    const edit: OnnxEdit = { quantized: pending };
    const main = blobSink();
    const data = new Map<string, ReturnType<typeof blobSink>>();
    const { dataFiles } = await writeOnnx(model, edit, main, {
      fileName: 'q.onnx',
      maxModelBytes: 100_000,
      maxDataFileBytes: 200_000,
      openBeside: async (name) => {
        events.push(`open ${name}`);
        const sink = blobSink();
        data.set(name, sink);
        return sink;
      },
    });
    expect(dataFiles).toEqual([...data.keys()]);
    expect(dataFiles[0]).toBe('q.onnx_data');
    expect(dataFiles.slice(1)).toEqual(dataFiles.slice(1).map((_, i) => `q.onnx_data_${i + 1}`));
    // Nothing was loaded while the .onnx streamed; every weight once, after the first data file opened.
    expect(events[0]).toBe('open q.onnx_data');
    expect(events.filter((e) => e.startsWith('load')).sort()).toEqual([...quantized.keys()].map((n) => `load ${n}`).sort());

    const files = [bytesSource(concatChunks(main.chunks), 'q.onnx'), ...[...data].map(([name, s]) => bytesSource(concatChunks(s.chunks), name))];
    const reread = await openOnnx(files);
    for (const t of reread.graph.initializers) {
      const fromSource = model.initializerByName.get(t.name);
      if (fromSource && fromSource.data.byteLength < 1024) expect(t.storage, t.name).not.toBe('external');
      else expect(t.storage, t.name).toBe('external');
    }
    // The same tensors as the single-file export, byte for byte.
    const single = blobSink();
    await writeOnnx(model, { quantized }, single);
    const inline = await openOnnx([bytesSource(concatChunks(single.chunks), 'single.onnx')]);
    for (const t of inline.graph.initializers) {
      const other = reread.initializerByName.get(t.name)!;
      expect(Buffer.compare(Buffer.from(await other.data.source.read(other.data.byteOffset, other.data.byteLength)), Buffer.from(await t.data.source.read(t.data.byteOffset, t.data.byteLength))), t.name).toBe(0);
    }
  });
});
