// Unknown fields in a rule's `quantize` or `prune` object are errors (a typo must not silently fall back to
// a default); shared by the method parsers.
import { RecipeError } from '../../core/errors';

export function checkFields(raw: Record<string, unknown>, method: string, fields: readonly string[], rule: number, stage: 'quantize' | 'prune' = 'quantize'): void {
  for (const key of Object.keys(raw)) {
    if (key === 'method' || fields.includes(key)) continue;
    throw new RecipeError(`rule ${rule}: unknown field ${stage}.${key} for method ${method} (it takes ${fields.join(', ')})`, { rule, field: `${stage}.${key}` });
  }
}
