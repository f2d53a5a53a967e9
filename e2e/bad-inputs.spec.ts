// The bad-input catalogue: named broken, unsupported or incomplete inputs across ONNX, GGUF,
// safetensors, JSON, importance matrices and recipes, dropped one after another on a page that
// has the sample open and an 8-bit result. Each case asserts the banner — its code, a heading that
// names the right file and format, the message that says what and where — and that the app is
// still usable with the earlier result intact (the sample stays open, its result still there).
// Every input is built here from the sample or by hand, so the catalogue needs no fixtures.
import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { blobSink, concatChunks } from '../src/core/byte-sink';
import { blobSource, type ByteSource } from '../src/core/byte-source';
import { RawGguf } from '../src/formats/gguf/testing/raw-gguf';
import { openOnnx, readInitializerFloats } from '../src/formats/onnx/onnx-reader';
import { writeOnnx } from '../src/formats/onnx/onnx-writer';
import { externalize } from '../src/formats/onnx/testing/derived-models';
import { buildModel, mixedGraph } from '../src/formats/onnx/testing/synthetic-models';
import { indexOnnx } from '../src/model/onnx-index';
import { dropFiles, type DroppedFile } from './drop-files';
import { loadSample } from './page-steps';

interface BadInput {
  name: string;
  files: () => Promise<DroppedFile[]>;
  /** What the banner must say: its code, heading and message. */
  code: string;
  title: RegExp;
  message: RegExp;
}

const sample = () => readFile('public/sample/model.onnx');
const tokenizer = () => readFile('public/sample/tokenizer.json');
const text = (s: string) => Buffer.from(s, 'utf8');

/** safetensors bytes: the 8-byte header length, the JSON header, then the data. */
function safetensors(header: unknown, data: Buffer = Buffer.alloc(0), declaredLength?: number): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(declaredLength ?? json.length));
  return Buffer.concat([length, json, data]);
}

/** A GGUF with one f32 tensor [4, 4] and the given string metadata. */
function gguf(metadata: Record<string, string>, opts: { version?: number; tensorType?: number; dataBytes?: number } = {}): Buffer {
  const raw = new RawGguf().header(1, Object.keys(metadata).length, opts.version ?? 3);
  for (const [k, v] of Object.entries(metadata)) raw.str(k).u32(8).str(v);
  raw.tensorInfo('token_embd.weight', [4, 4], opts.tensorType ?? 0, 0).padTo(32).zeros(opts.dataBytes ?? 64);
  return Buffer.from(raw.bytes());
}

const llamaMeta = { 'general.architecture': 'llama', 'general.name': 'tiny' };

const openSample = async () => openOnnx([blobSource(await openAsBlob('public/sample/model.onnx'), 'model.onnx')]);
const bytesOf = async (source: ByteSource) => Buffer.from(await source.read(0, source.byteLength));

/** The sample with its weights moved to model.onnx_data (ONNX external data). */
async function externalSample(): Promise<{ graph: Buffer; data: Buffer }> {
  const { model, data } = await externalize(await openSample());
  return { graph: await bytesOf(model), data: await bytesOf(data) };
}

/** The sample with one NaN in layers.1's up_proj weight (stored element 7). */
async function sampleWithNaN(): Promise<Buffer> {
  const model = await openSample();
  const name = indexOnnx(model).tensors.find((t) => /layers\.1\.mlp\.up_proj/.test(t.layer))!.name; // the exporter's initializer names are anonymous
  const values = await readInitializerFloats(model, name);
  values[7] = Number.NaN;
  const sink = blobSink();
  await writeOnnx(model, { replaced: new Map([[name, new Uint8Array(values.buffer, values.byteOffset, values.byteLength)]]) }, sink);
  return Buffer.from(concatChunks(sink.chunks));
}

const CASES: BadInput[] = [
  // ONNX
  { name: 'a truncated ONNX file', files: async () => [{ name: 'truncated.onnx', buffer: (await sample()).subarray(0, 1 << 20) }], code: 'format', title: /^truncated\.onnx is not a readable ONNX file$/, message: /file is truncated: a field of 7526268 bytes runs past the end of the file/ },
  { name: 'an empty .onnx file', files: async () => [{ name: 'empty.onnx', buffer: Buffer.alloc(0) }], code: 'format', title: /^empty\.onnx is not a readable ONNX file$/, message: /not an ONNX model: the file is empty/ },
  { name: 'text named .onnx', files: async () => [{ name: 'notes.onnx', buffer: text('These are my notes, not a model.\n'.repeat(20)) }], code: 'format', title: /^notes\.onnx is not a readable ONNX file$/, message: /not an ONNX model: .* looks like a text file/ },
  { name: 'random bytes named .onnx', files: async () => [{ name: 'noise.onnx', buffer: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)) }], code: 'format', title: /^noise\.onnx is not a readable ONNX file$/, message: /not an ONNX model: it starts with bytes/ },
  {
    name: 'an ONNX initializer with an unknown data_type (999)',
    files: async () => {
      const g = mixedGraph();
      g.initializers[0] = { ...g.initializers[0], values: undefined, raw: { dataType: 999, bytes: new Uint8Array(16) } };
      return [{ name: 'odd-dtype.onnx', buffer: Buffer.from(buildModel(g)) }];
    },
    code: 'format',
    title: /^odd-dtype\.onnx is not a readable ONNX file$/,
    message: /tensor "embed\.weight" has data_type 999, which is not an ONNX element type/,
  },
  {
    name: 'an ONNX initializer whose bytes do not fit its shape',
    files: async () => {
      const g = mixedGraph();
      g.initializers[0] = { ...g.initializers[0], values: undefined, raw: { dataType: 1, bytes: new Uint8Array(6) } };
      return [{ name: 'short-tensor.onnx', buffer: Buffer.from(buildModel(g)) }];
    },
    code: 'format',
    title: /^short-tensor\.onnx is not a readable ONNX file$/,
    message: /tensor "embed\.weight" holds 6 bytes but dims \[10, 16\] of f32 need 640/,
  },
  {
    name: 'an ONNX graph without its external data file',
    files: async () => [{ name: 'model.onnx', buffer: (await externalSample()).graph }, { name: 'tokenizer.json', buffer: await tokenizer() }],
    code: 'missing-file',
    title: /^A file of the model is missing$/,
    message: /model\.onnx_data/,
  },
  {
    name: 'an ONNX graph with its external data cut short',
    files: async () => {
      const { graph, data } = await externalSample();
      return [{ name: 'model.onnx', buffer: graph }, { name: 'model.onnx_data', buffer: data.subarray(0, data.length >> 1) }];
    },
    code: 'format',
    title: /model\.onnx/,
    message: /model\.onnx_data/,
  },
  // GGUF
  { name: 'a GGUF cut off in its header', files: async () => [{ name: 'cut-off.gguf', buffer: gguf(llamaMeta).subarray(0, 40) }], code: 'format', title: /^cut-off\.gguf is not a readable GGUF file$/, message: /metadata count 2 cannot fit in the 16 bytes left in the file/ },
  { name: 'a GGUF with a bad magic', files: async () => [{ name: 'bad-magic.gguf', buffer: Buffer.concat([text('GGUX'), gguf(llamaMeta).subarray(4)]) }], code: 'format', title: /^bad-magic\.gguf is not a readable GGUF file$/, message: /not a GGUF file: magic is 0x58554747, expected 0x46554747/ },
  { name: 'a GGUF of an unknown version (99)', files: async () => [{ name: 'future.gguf', buffer: gguf(llamaMeta, { version: 99 }) }], code: 'unsupported', title: /^This GGUF model is not supported yet$/, message: /future\.gguf: GGUF version 99 is not supported \(expected 2 or 3\)/ },
  {
    name: 'a GGUF claiming 2^40 tensors',
    files: async () => {
      const b = gguf(llamaMeta);
      b.writeBigUInt64LE(1n << 40n, 8);
      return [{ name: 'huge-count.gguf', buffer: b }];
    },
    code: 'format',
    title: /^huge-count\.gguf is not a readable GGUF file$/,
    message: /tensor count 1099511627776 cannot fit in the \d+ bytes left in the file/,
  },
  { name: 'a GGUF tensor of an unknown ggml type (99)', files: async () => [{ name: 'odd-type.gguf', buffer: gguf(llamaMeta, { tensorType: 99 }) }], code: 'format', title: /^odd-type\.gguf is not a readable GGUF file$/, message: /tensor "token_embd\.weight" has unknown ggml type id 99/ },
  { name: 'a GGUF whose tensor data is cut off', files: async () => [{ name: 'short-data.gguf', buffer: gguf(llamaMeta, { dataBytes: 8 }) }], code: 'format', title: /^short-data\.gguf is not a readable GGUF file$/, message: /tensor "token_embd\.weight" \(64 bytes at 192\) runs past the end of the file/ },
  {
    name: 'a GGUF metadata value of an unknown type (99)',
    files: async () => [{ name: 'odd-value.gguf', buffer: Buffer.from(new RawGguf().header(0, 1).str('general.architecture').u32(99).zeros(16).bytes()) }],
    code: 'format',
    title: /^odd-value\.gguf is not a readable GGUF file$/,
    message: /general\.architecture/,
  },
  // safetensors
  { name: 'a safetensors header longer than the file', files: async () => [{ name: 'model.safetensors', buffer: safetensors({}, Buffer.alloc(0), 1 << 20) }], code: 'format', title: /^model\.safetensors is not a readable safetensors file$/, message: /header length 1048576 runs past the end of the file/ },
  { name: 'a safetensors header that is not JSON', files: async () => [{ name: 'model.safetensors', buffer: safetensors('{"a": [1, 2') }], code: 'format', title: /^model\.safetensors is not a readable safetensors file$/, message: /header is not valid UTF-8 JSON/ },
  { name: 'a safetensors dtype named "constructor"', files: async () => [{ name: 'model.safetensors', buffer: safetensors({ 'model.embed_tokens.weight': { dtype: 'constructor', shape: [2, 2], data_offsets: [0, 16] } }, Buffer.alloc(16)) }], code: 'format', title: /^model\.safetensors is not a readable safetensors file$/, message: /tensor "model\.embed_tokens\.weight": unknown dtype "constructor"/ },
  { name: 'a safetensors dtype that does not exist ("F7")', files: async () => [{ name: 'model.safetensors', buffer: safetensors({ 'model.embed_tokens.weight': { dtype: 'F7', shape: [2, 2], data_offsets: [0, 16] } }, Buffer.alloc(16)) }], code: 'format', title: /^model\.safetensors is not a readable safetensors file$/, message: /unknown dtype "F7"/ },
  { name: 'safetensors offsets past the end of the file', files: async () => [{ name: 'model.safetensors', buffer: safetensors({ 'model.embed_tokens.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }, Buffer.alloc(8)) }], code: 'format', title: /^model\.safetensors is not a readable safetensors file$/, message: /data_offsets end 16 is past the 8-byte data buffer/ },
  { name: 'a safetensors shape that does not match its bytes', files: async () => [{ name: 'model.safetensors', buffer: safetensors({ 'model.embed_tokens.weight': { dtype: 'F32', shape: [3, 2], data_offsets: [0, 16] } }, Buffer.alloc(16)) }], code: 'format', title: /^model\.safetensors is not a readable safetensors file$/, message: /F32 \[3,2\] needs 24 bytes but data_offsets span 16/ },
  {
    name: 'a sharded checkpoint without its shards',
    files: async () => [{ name: 'model.safetensors.index.json', buffer: text(JSON.stringify({ metadata: {}, weight_map: { 'model.embed_tokens.weight': 'model-00001-of-00002.safetensors' } })) }],
    code: 'missing-file',
    title: /^A file of the model is missing$/,
    message: /model\.safetensors\.index\.json needs shard model-00001-of-00002\.safetensors, which was not given/,
  },
  // The files beside a model, and files that are no model
  { name: 'only a tokenizer.json', files: async () => [{ name: 'tokenizer.json', buffer: await tokenizer() }], code: 'missing-file', title: /^A file of the model is missing$/, message: /no model file among tokenizer\.json/ },
  { name: 'only a config.json', files: async () => [{ name: 'config.json', buffer: text('{"model_type": "llama"}') }], code: 'missing-file', title: /^A file of the model is missing$/, message: /no model file among config\.json/ },
  { name: 'a model with a tokenizer.json that is not JSON', files: async () => [{ name: 'model.onnx', buffer: await sample() }, { name: 'tokenizer.json', buffer: text('{ "model": ') }], code: 'format', title: /^tokenizer\.json is not a readable JSON file$/, message: /tokenizer\.json: not valid UTF-8 JSON/ },
  { name: 'a model with a config.json that is not JSON', files: async () => [{ name: 'model.onnx', buffer: await sample() }, { name: 'tokenizer.json', buffer: await tokenizer() }, { name: 'config.json', buffer: text('{"hidden_size": 128,') }], code: 'format', title: /^config\.json is not a readable JSON file$/, message: /config\.json: not valid UTF-8 JSON/ },
  { name: 'a text file', files: async () => [{ name: 'README.txt', buffer: text('hello') }], code: 'format', title: /^README\.txt is not a readable model file$/, message: /looks like a text file/ },
  { name: 'a PNG image', files: async () => [{ name: 'photo.png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) }], code: 'format', title: /^photo\.png is not a readable model file$/, message: /looks like a PNG image/ },
  // Importance matrices and recipes, dropped beside the open model
  { name: 'an importance matrix that is not one (.dat)', files: async () => [{ name: 'imatrix.dat', buffer: Buffer.from([1, 2, 3, 4, 5]) }], code: 'format', title: /^imatrix\.dat is not a readable importance matrix file$/, message: /truncated/ },
  { name: 'a recipe that is not JSON', files: async () => [{ name: 'recipe.json', buffer: text('{"recipe": 1, "rules": [') }], code: 'format', title: /^recipe\.json is not a readable JSON file$/, message: /recipe\.json: not valid JSON/ },
  { name: 'a recipe with an unknown method', files: async () => [{ name: 'recipe.json', buffer: text(JSON.stringify({ recipe: 1, rules: [{ match: '.*', quantize: { method: 'magic', bits: 4 } }] })) }], code: 'usage', title: /^The recipe could not be loaded$/, message: /rule 0: quantize\.method must be one of "rtn", "ggml", "gptq", "hqq", "awq"; got "magic"/ },
];

test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  await page.goto('/');
  await loadSample(page);
  await page.getByTestId('rule-0-bits').selectOption('8');
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-scheme')).toContainText('rtn 8-bit/32 asym');
});

test.afterAll(async () => {
  await page.close();
});

for (const c of CASES) {
  test(`bad input: ${c.name}`, async () => {
    await dropFiles(page, page.getByTestId('drop-zone'), await c.files());
    const banner = page.getByTestId('error-banner');
    await expect(banner).toBeVisible();
    const title = await banner.locator('.banner-title').textContent();
    const message = await page.getByTestId('error-message').textContent();
    await expect(banner).toHaveAttribute('data-code', c.code);
    expect(title).toMatch(c.title);
    expect(message).toMatch(c.message);
    // The app goes on, and nothing done is lost: the sample is still open with its result.
    await expect(page.getByTestId('model-name')).toHaveText('model.onnx');
    await expect(page.getByTestId('result-scheme')).toContainText('rtn 8-bit/32 asym');
    await banner.getByRole('button', { name: 'Dismiss message' }).click();
    await expect(banner).toBeHidden();
  });
}

test('a model with a NaN weight opens, and compressing it names the layer, the tensor and the element', async () => {
  await dropFiles(page, page.getByTestId('drop-zone'), [{ name: 'nan.onnx', buffer: await sampleWithNaN() }, { name: 'tokenizer.json', buffer: await tokenizer() }]);
  await expect(page.getByTestId('model-name')).toHaveText('nan.onnx');
  await page.getByTestId('compress-button').click();
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-code', 'shape');
  await expect(page.getByTestId('error-message')).toContainText('weight has a non-finite value (NaN) at stored element 7; cannot quantize');
  await expect(page.getByTestId('error-message')).toContainText('up_proj');
  await banner.getByRole('button', { name: 'Dismiss message' }).click();
  await loadSample(page);
});

test('after every bad input the studio still compresses the open model', async () => {
  await page.getByTestId('rule-0-bits').selectOption('4');
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-scheme')).toContainText('rtn 4-bit/32 asym');
});
