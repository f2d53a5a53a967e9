// The recipe an export of the studio carries (pipeline/exporters/provenance.ts), read back from
// an opened model of any format, so the page can offer it and a run can be repeated. Files made
// before recipes existed (or by other tools) carry none, or one this version cannot read.
import type { Recipe } from '../../core/recipe';
import { RECIPE_KEY, VERSION_KEY } from '../exporters/provenance';
import type { OpenedModel } from '../open-model';
import { parseRecipeText } from './parse-recipe';

export interface EmbeddedRecipe {
  recipe: Recipe;
  /** The studio version that wrote the file. */
  version: string;
}

function metadataOf(model: OpenedModel): Record<string, string> {
  if (model.onnx) return model.onnx.metadata;
  if (model.safetensors) return model.safetensors.shards[0]?.metadata ?? {};
  if (model.gguf) {
    const out: Record<string, string> = {};
    for (const key of [RECIPE_KEY, VERSION_KEY]) {
      const v = model.gguf.metadata.get(key);
      if (v?.type === 'string') out[key] = v.value;
    }
    return out;
  }
  return {};
}

/** The file's recipe, or undefined when it has none this studio can read. */
export function embeddedRecipe(model: OpenedModel): EmbeddedRecipe | undefined {
  const meta = metadataOf(model);
  const text = meta[RECIPE_KEY];
  if (!text) return undefined;
  try {
    return { recipe: parseRecipeText(text), version: meta[VERSION_KEY] ?? 'unknown' };
  } catch {
    return undefined;
  }
}
