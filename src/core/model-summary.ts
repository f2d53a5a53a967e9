// What the page knows of an opened model (the bytes stay in the worker): its index, its files,
// which side files came with it, its identity for saved sweeps, and the recipe it was made with
// when the studio made it.
import type { ModelIndex } from './model-index';
import type { Recipe } from './recipe';

export interface ModelSummary {
  index: ModelIndex;
  /** Names of the files the model was opened from (main file first). */
  files: string[];
  /** Was a tokenizer.json given with the model (or does its own vocabulary stand in for one)? */
  hasTokenizer: boolean;
  /** The tokenizer is the model's own vocabulary (a GGUF's), read back as tokenizer.json. */
  tokenizerFromModel?: boolean;
  /** Was a config.json given with the model? (GGUF output from ONNX/safetensors needs it.) */
  hasConfig: boolean;
  /** The recipe an export of the studio carries, and the version that wrote it. */
  embeddedRecipe?: { recipe: Recipe; version: string };
  /**
   * GGUF and safetensors models: whether the studio can build the model's ONNX graph (which
   * perplexity, sweeps, calibration and ONNX output run), and if not, why.
   */
  graph?: { buildable: true; architecture: string } | { buildable: false; reason: string };
  /** Set when this model is a graph the studio built: the file it was built from and the graph's size. */
  builtFrom?: { fileName: string; format: string; fileBytes: number; graphBytes: number; float16: boolean };
}
