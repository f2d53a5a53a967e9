// How an export says it was made (issue: "exports say how they were made"): the recipe as
// canonical JSON and the studio's version, under the same keys in every format (ONNX
// metadata_props, GGUF metadata, safetensors __metadata__), and reading them back.
import { canonicalRecipe } from '../../core/recipe-id';
import type { Recipe } from '../../core/recipe';
import { STUDIO_VERSION } from '../../core/version';

export const RECIPE_KEY = 'compression_studio.recipe';
export const VERSION_KEY = 'compression_studio.version';

export function provenanceMetadata(recipe: Recipe): Record<string, string> {
  return { [RECIPE_KEY]: JSON.stringify(canonicalRecipe(recipe)), [VERSION_KEY]: STUDIO_VERSION };
}
