// Unknown fields in a rule's `quantize` object are errors (a typo must not silently fall back to
// a default); shared by the method parsers.
import { RecipeError } from '../../core/errors';

export function checkFields(raw: Record<string, unknown>, method: string, fields: readonly string[], rule: number): void {
  for (const key of Object.keys(raw)) {
    if (key === 'method' || fields.includes(key)) continue;
    throw new RecipeError(`rule ${rule}: unknown field quantize.${key} for method ${method} (it takes ${fields.join(', ')})`, { rule, field: `quantize.${key}` });
  }
}
