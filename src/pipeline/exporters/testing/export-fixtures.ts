// Test helpers for exports: a fixture model opened with its side files (config.json,
// tokenizer.json, tokenizer_config.json) as a person would drop them, a recipe run through the
// whole seam (plan → compress → exporter) into memory, and the written files read back.
import { blobSink, concatChunks } from '../../../core/byte-sink';
import { bytesSource, type ByteSource } from '../../../core/byte-source';
import type { CompressedTensor } from '../../../core/compressed-tensor';
import type { CompressReport } from '../../../core/compression-report';
import type { CompressionPlan, OutputFormat } from '../../../core/compression-plan';
import type { Recipe } from '../../../core/recipe';
import { openGguf, type GgufFile } from '../../../formats/gguf/gguf-reader';
import { fixtureSource } from '../../../formats/gguf/testing/fixtures';
import type { GpuContext } from '../../../gpu/context';
import { compressModel, exportCompressed } from '../../compress-model';
import { exportContextOf } from '../../export-context';
import { openModel, type OpenedModel } from '../../open-model';
import { resolveRecipe } from '../../recipe/resolve-recipe';
import type { ExportContext } from '../exporter';

export type FixtureModel = 'tiny-llama' | 'small-llama';

/** A fixture file (relative to the model folder) opened with the model's side files. */
export async function openFixture(model: FixtureModel, file: string): Promise<OpenedModel> {
  const side = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
  return openModel([await fixtureSource(`models/${model}/${file}`), ...(await Promise.all(side.map((f) => fixtureSource(`models/${model}/${f}`))))]);
}

export async function fixtureContext(opened: OpenedModel, model: FixtureModel, extra: ExportContext = {}): Promise<ExportContext> {
  return exportContextOf(opened, { modelName: model, ...extra });
}

export interface ExportedFixture {
  plan: CompressionPlan;
  report: CompressReport;
  /** Files written in order (the main one named exported.onnx, exported.gguf or model.safetensors). */
  files: ByteSource[];
}

/** What the main output file is called in memory (a file name the readers recognise). */
const MAIN_NAME: Record<OutputFormat, string> = { onnx: 'exported.onnx', gguf: 'exported.gguf', safetensors: 'model.safetensors' };

/** Runs `recipe` on a fixture through the seam (CPU references, or `gpu`) and keeps the output in memory. */
export async function exportFixture(model: FixtureModel, file: string, recipe: Recipe, format: OutputFormat, opts: { gpu?: GpuContext; context?: ExportContext } = {}): Promise<ExportedFixture> {
  const opened = await openFixture(model, file);
  const resolved = await resolveRecipe(opened, recipe, format, await fixtureContext(opened, model, opts.context));
  const sinks = new Map<string, ReturnType<typeof blobSink>>();
  const { report } = await compressModel(opened, resolved, {
    gpu: opts.gpu,
    output: async (name) => {
      const sink = blobSink();
      sinks.set(name ?? MAIN_NAME[format], sink);
      return sink;
    },
  });
  return { plan: resolved.plan, report, files: [...sinks].map(([name, s]) => bytesSource(concatChunks(s.chunks), name)) };
}

/** A GGUF export of a fixture, reopened. */
export async function exportFixtureToGguf(model: FixtureModel, file: string, recipe: Recipe): Promise<{ file: GgufFile } & ExportedFixture> {
  const exported = await exportFixture(model, file, recipe, 'gguf');
  return { ...exported, file: await openGguf(exported.files[0]) };
}

export interface CompressedFixture {
  opened: OpenedModel;
  resolved: Awaited<ReturnType<typeof resolveRecipe>>;
  report: CompressReport;
  results: Map<string, CompressedTensor>;
}

/** Runs `recipe` on a fixture and keeps the results (for evaluation), without writing anything. */
export async function compressFixture(model: FixtureModel, file: string, recipe: Recipe, format: OutputFormat, opts: { gpu?: GpuContext } = {}): Promise<CompressedFixture> {
  const opened = await openFixture(model, file);
  const resolved = await resolveRecipe(opened, recipe, format, await fixtureContext(opened, model));
  const { report, results } = await compressModel(opened, resolved, { gpu: opts.gpu, keepResults: true });
  return { opened, resolved, report, results: results! };
}

/** The export of kept results, in memory (the main file's bytes). */
export async function exportedBytes(c: CompressedFixture): Promise<Uint8Array> {
  const sink = blobSink();
  await exportCompressed(c.resolved, c.results, async () => sink);
  return concatChunks(sink.chunks);
}
