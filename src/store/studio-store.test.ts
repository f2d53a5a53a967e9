// The store against a fake worker client: loads, the recipe editor and its live plan, runs,
// cancels and failures keep what was done; a dropped recipe file goes to the editor.
import { beforeEach, describe, expect, it } from 'vitest';
import type { CompressionPlan } from '../core/compression-plan';
import type { CompressReport } from '../core/compression-report';
import { CancelledError, FormatError, RecipeError } from '../core/errors';
import { summarizeTensors, type ModelIndex, type TensorInfo } from '../core/model-index';
import type { ModelSummary } from '../core/model-summary';
import type { Recipe } from '../core/recipe';
import type { StudioApi } from '../workers/studio-api';
import type { StudioClient } from '../workers/studio-client';
import { progressStore } from './progress-store';
import { setStudioClient } from './studio-client';
import { useStudioStore } from './studio-store';

const initial = useStudioStore.getState();

function tensor(name: string, layer: string, role: TensorInfo['role'], shape: number[]): TensorInfo {
  const numel = shape.reduce((a, b) => a * b, 1);
  return { name, layer, role, dtype: 'f32', shape, numel, byteLength: 4 * numel, layout: { rows: shape[0], cols: shape[1], rowStride: shape[1], colStride: 1 } };
}

function index(fileName: string, format: ModelIndex['format'] = 'onnx'): ModelIndex {
  const tensors = [
    tensor('emb', 'model.embed_tokens', 'embedding', [16, 8]),
    tensor('w0', 'model.layers.0.mlp.up_proj', 'matmul-weight', [8, 32]),
    tensor('head', 'lm_head', 'matmul-weight', [8, 16]),
  ];
  return { format, fileName, fileBytes: 1234, architecture: 'llama', tensors, ...summarizeTensors(tensors) };
}

const summary = (name: string, extra: Partial<ModelSummary> = {}): ModelSummary => ({ index: index(name), files: [name], hasTokenizer: true, hasConfig: false, ...extra });

function report(recipe: Recipe, bits: number): CompressReport {
  return { format: 'onnx', recipe, recipeId: `r-${bits}`, rules: recipe.rules, ruleSources: recipe.rules.map(() => 'recipe'), inputBytes: 1234, outputBytes: 400, bitsPerWeight: bits + 1, tensors: [], notes: [], durationMs: 5, device: 'test' };
}

function plan(recipe: Recipe): CompressionPlan {
  return { format: 'onnx', recipe, recipeId: 'r-x', rules: recipe.rules, ruleSources: recipe.rules.map(() => 'recipe'), tensors: [], order: [], inputBytes: 1234, outputBytes: 500, bitsPerWeight: 5, notes: [] };
}

/** A fake client whose behaviour each test sets. */
function fakeClient(api: Partial<StudioApi>): StudioClient {
  return api as unknown as StudioClient;
}

const file = (name: string, text = '') => new File([text], name);
const settle = () => new Promise((r) => setTimeout(r, 200));

beforeEach(() => {
  useStudioStore.setState(initial, true);
  setStudioClient(null);
});

describe('studio store', () => {
  it('opens files, then keeps model and result when a later open fails', async () => {
    setStudioClient(fakeClient({
      open: async (files) => summary(files[0].name),
      plan: async ({ recipe }) => plan(recipe as Recipe),
      compress: async ({ recipe }) => report(recipe as Recipe, 4),
    }));
    await useStudioStore.getState().openFiles([file('a.onnx'), file('README.md')]);
    expect(useStudioStore.getState().model?.files).toEqual(['a.onnx']);
    expect(useStudioStore.getState().quickRecipeId).toBe('uniform');
    await useStudioStore.getState().compress();
    expect(useStudioStore.getState().report?.bitsPerWeight).toBe(5);

    setStudioClient(fakeClient({ open: async () => Promise.reject(new FormatError('file is truncated', 10, 'b.onnx')) }));
    await useStudioStore.getState().openFiles([file('b.onnx')]);
    const s = useStudioStore.getState();
    expect(s.notice).toMatchObject({ step: 'load', code: 'format', file: 'b.onnx' });
    expect(s.model?.index.fileName).toBe('a.onnx');
    expect(s.report?.bitsPerWeight).toBe(5);
    expect(s.loadStatus).toBe('idle');
  });

  it('edits rules and asks for a fresh plan; a bad rule is reported at the rule and the last good recipe is what runs', async () => {
    const planned: Recipe[] = [];
    setStudioClient(fakeClient({
      open: async () => summary('m.onnx'),
      plan: async ({ recipe }) => {
        const r = recipe as Recipe;
        planned.push(r);
        if (r.rules.some((x) => x.match === '(')) throw new RecipeError('rule 0: "match" is not a valid regular expression: …', { rule: 0, field: 'match' });
        return plan(r);
      },
    }));
    await useStudioStore.getState().openFiles([file('m.onnx')]);
    await settle();
    expect(useStudioStore.getState().plan?.outputBytes).toBe(500);
    const s = useStudioStore.getState();
    s.addRule();
    expect(useStudioStore.getState().recipe.rules.map((r) => r.match)).toEqual(['down_proj', '.*']);
    expect(useStudioStore.getState().quickRecipeId).toBeNull();
    useStudioStore.getState().moveRule(0, 1);
    expect(useStudioStore.getState().recipe.rules.map((r) => r.match)).toEqual(['.*', 'down_proj']);
    useStudioStore.getState().updateRule(0, { match: '(', keep: true });
    await settle();
    expect(useStudioStore.getState().planError).toMatchObject({ rule: 0, field: 'match' });
    expect(useStudioStore.getState().plan).toBeNull();
    useStudioStore.getState().removeRule(0);
    await settle();
    expect(useStudioStore.getState().planError).toBeNull();
    expect(planned.at(-1)!.rules.map((r) => r.match)).toEqual(['down_proj']);
  });

  it('a plan still in flight when the recipe changes is dropped: the editor stays "planning" until the new one', async () => {
    const answers: { recipe: Recipe; resolve: (p: CompressionPlan) => void }[] = [];
    setStudioClient(fakeClient({
      open: async () => summary('m.onnx'),
      plan: ({ recipe }) => new Promise<CompressionPlan>((resolve) => answers.push({ recipe: recipe as Recipe, resolve })),
    }));
    await useStudioStore.getState().openFiles([file('m.onnx')]);
    await settle();
    expect(answers).toHaveLength(1); // the request for the opened model's recipe is in flight
    useStudioStore.getState().addRule();
    answers[0].resolve({ ...plan(answers[0].recipe), outputBytes: 111 });
    await new Promise((r) => setTimeout(r, 0));
    // The old answer arrived during the debounce: not shown, and the plan still reads as stale.
    expect(useStudioStore.getState().planStatus).toBe('planning');
    expect(useStudioStore.getState().plan?.outputBytes).not.toBe(111);
    await settle();
    expect(answers).toHaveLength(2);
    answers[1].resolve({ ...plan(answers[1].recipe), outputBytes: 222 });
    await settle();
    expect(useStudioStore.getState().planStatus).toBe('idle');
    expect(useStudioStore.getState().plan?.outputBytes).toBe(222);
  });

  it('a recipe file dropped alone goes to the editor; a bad one says so and keeps the editor\'s recipe', async () => {
    const good = { recipe: 1, rules: [{ match: '.*', quantize: { method: 'ggml', type: 'Q8_0' } }] };
    let opened = 0;
    setStudioClient(fakeClient({
      open: async () => ((opened++), summary('m.onnx')),
      checkRecipe: async (value) => {
        if ((value as Recipe).rules.length === 0) throw new RecipeError('"rules" must …', { field: 'rules' });
        return value as Recipe;
      },
      plan: async ({ recipe }) => plan(recipe as Recipe),
    }));
    await useStudioStore.getState().openFiles([file('m.onnx')]);
    await useStudioStore.getState().openFiles([file('mine.json', JSON.stringify(good))]);
    expect(opened).toBe(1);
    expect(useStudioStore.getState().recipe).toEqual(good);
    expect(useStudioStore.getState().outputFormat).toBe('gguf'); // a ggml rule: GGUF output
    await useStudioStore.getState().openFiles([file('bad.json', JSON.stringify({ recipe: 1, rules: [] }))]);
    expect(useStudioStore.getState().notice).toMatchObject({ step: 'recipe', code: 'usage', file: 'bad.json' });
    expect(useStudioStore.getState().recipe).toEqual(good);
  });

  it('offers the recipe an opened export carries', async () => {
    const carried: Recipe = { recipe: 1, preset: 'Q4_K_M', rules: [] };
    setStudioClient(fakeClient({ open: async () => summary('x.gguf', { index: index('x.gguf', 'gguf'), embeddedRecipe: { recipe: carried, version: '0.2.0' } }), plan: async ({ recipe }) => plan(recipe as Recipe) }));
    await useStudioStore.getState().openFiles([file('x.gguf')]);
    expect(useStudioStore.getState().outputFormat).toBe('gguf');
    expect(useStudioStore.getState().offeredRecipe?.version).toBe('0.2.0');
    useStudioStore.getState().acceptOfferedRecipe();
    expect(useStudioStore.getState().recipe).toEqual(carried);
    expect(useStudioStore.getState().offeredRecipe).toBeNull();
  });

  it('an importance matrix dropped alone becomes the importance source; without a model it says to open one', async () => {
    const added: string[] = [];
    setStudioClient(fakeClient({
      open: async (files) => summary(files[0].name),
      plan: async ({ recipe }) => plan(recipe as Recipe),
      isImatrix: async (f) => f.name === 'imatrix.gguf',
      addImatrix: async (f) => {
        added.push(f.name);
        return { name: f.name, entries: 7, chunks: 2, chunkSize: 256, datasets: [] };
      },
    }));
    await useStudioStore.getState().openFiles([file('imatrix.gguf')]);
    expect(useStudioStore.getState().notice?.message).toMatch(/imatrix\.gguf is a llama\.cpp importance matrix: open a model first/);
    expect(added).toEqual([]);
    await useStudioStore.getState().openFiles([file('m.onnx')]);
    await useStudioStore.getState().openFiles([file('imatrix.gguf')]);
    expect(added).toEqual(['imatrix.gguf']);
    expect(useStudioStore.getState().imatrixFiles.map((f) => f.name)).toEqual(['imatrix.gguf']);
    expect(useStudioStore.getState().recipe.calibration?.imatrix).toBe('imatrix.gguf');
    // Another .gguf is a model, opened as one.
    await useStudioStore.getState().openFiles([file('model.gguf')]);
    expect(useStudioStore.getState().model?.index.fileName).toBe('model.gguf');
  });

  it('a cancelled run keeps the previous report and reports "cancelled"', async () => {
    let release: (() => void) | null = null;
    setStudioClient(fakeClient({
      open: async () => summary('m.onnx'),
      plan: async ({ recipe }) => plan(recipe as Recipe),
      compress: async ({ recipe }, onProgress) => {
        if (!release) return report(recipe as Recipe, 8);
        onProgress({ tensorsDone: 1, tensorsTotal: 3, bytesDone: 10, bytesTotal: 30, elapsedMs: 1, currentTensor: 'w0' });
        await new Promise<void>((resolve) => (release = resolve));
        throw new CancelledError();
      },
      cancel: () => release?.(),
    }));
    await useStudioStore.getState().openFiles([file('m.onnx')]);
    await useStudioStore.getState().compress();
    expect(useStudioStore.getState().report?.bitsPerWeight).toBe(9);

    release = () => {};
    const run = useStudioStore.getState().compress();
    await Promise.resolve();
    expect(useStudioStore.getState().jobStatus).toBe('running');
    await new Promise((r) => setTimeout(r, 0));
    expect(progressStore.getState().progress?.tensorsDone).toBe(1);
    useStudioStore.getState().cancelCompress();
    await run;
    const s = useStudioStore.getState();
    expect(s.jobStatus).toBe('idle');
    expect(s.notice?.code).toBe('cancelled');
    expect(s.report?.bitsPerWeight).toBe(9);
    expect(progressStore.getState().progress).toBeNull();
  });

  it('does not compress without a model, nor open while a run is going', async () => {
    await useStudioStore.getState().compress();
    expect(useStudioStore.getState().jobStatus).toBe('idle');
    useStudioStore.setState({ jobStatus: 'running' });
    let opened = false;
    setStudioClient(fakeClient({ open: async () => ((opened = true), summary('x.onnx')) }));
    await useStudioStore.getState().openFiles([file('x.onnx')]);
    expect(opened).toBe(false);
  });
});
