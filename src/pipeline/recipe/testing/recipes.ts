// Recipes the tests share: the issue's mixed recipe (keep head and embedding, 8-bit per-channel
// attention v/o and MLP down, 4-bit/32 elsewhere).
import type { Recipe } from '../../../core/recipe';
import { parseRecipe } from '../parse-recipe';

export const ISSUE_RECIPE: Recipe = parseRecipe({
  recipe: 1,
  rules: [
    { match: 'lm_head|embed', keep: true },
    { match: 'self_attn\\.(v|o)_proj|mlp\\.down_proj', quantize: { method: 'rtn', bits: 8, group: 'per-channel', symmetric: true } },
    { match: '.*', quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } },
  ],
});
