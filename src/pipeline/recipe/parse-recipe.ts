// Reads a recipe from JSON data (core/recipe.ts; schema docs/recipe.schema.json) and rejects
// what cannot be run before any work, with a message that names the rule (index) and the field
// and says what was expected. Method settings are checked by the methods themselves
// (pipeline/methods/). The result is canonical: fixed key order, defaults filled.
import { RecipeError } from '../../core/errors';
import { canonicalRecipe } from '../../core/recipe-id';
import { compileMatch } from '../../core/rule-match';
import {
  DEFAULT_CALIBRATION, GGUF_PRESET_NAMES, PRUNE_METHODS, QUANTIZE_METHODS, RECIPE_DTYPES, RECIPE_VERSION, RULE_ROLES,
  type CalibrationSpec, type GgufPresetName, type Recipe, type RecipeDtype, type RecipeRule, type RuleRole,
} from '../../core/recipe';
import { isPruneMethodId, isQuantizeMethodId, methodById, pruneMethodById } from '../methods/registry';

const TOP_FIELDS = ['recipe', 'name', 'preset', 'pure', 'imatrix', 'dtype', 'calibration', 'rules'] as const;
const RULE_FIELDS = ['match', 'role', 'keep', 'prune', 'quantize'] as const;
const CALIBRATION_FIELDS = ['text', 'windows', 'sequential', 'imatrix'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');

function unknownField(key: string, fields: readonly string[], where: string, rule?: number): RecipeError {
  return new RecipeError(`${where}unknown field "${key}" (expected ${fields.join(', ')})`, { rule, field: key });
}

function parseRule(raw: unknown, i: number): RecipeRule {
  if (!isObject(raw)) throw new RecipeError(`rule ${i}: must be an object with "match" and "keep", "prune" or "quantize"; got ${JSON.stringify(raw)}`, { rule: i });
  for (const key of Object.keys(raw)) if (!(RULE_FIELDS as readonly string[]).includes(key)) throw unknownField(key, RULE_FIELDS, `rule ${i}: `, i);
  if (typeof raw.match !== 'string') throw new RecipeError(`rule ${i}: "match" must be a regular expression as a string; got ${JSON.stringify(raw.match)}`, { rule: i, field: 'match' });
  compileMatch(raw.match, i);
  const rule: RecipeRule = { match: raw.match };
  if (raw.role !== undefined) {
    if (!(RULE_ROLES as readonly unknown[]).includes(raw.role)) throw new RecipeError(`rule ${i}: "role" must be one of ${oneOf(RULE_ROLES)}; got ${JSON.stringify(raw.role)}`, { rule: i, field: 'role' });
    rule.role = raw.role as RuleRole;
  }
  const hasKeep = raw.keep !== undefined;
  const hasWork = raw.quantize !== undefined || raw.prune !== undefined;
  if (hasKeep === hasWork) {
    throw new RecipeError(`rule ${i}: give either "keep": true, or "prune" and/or "quantize": { … }${hasKeep ? ', not both' : ''}`, { rule: i, field: hasKeep ? 'quantize' : 'keep' });
  }
  if (hasKeep) {
    if (raw.keep !== true) throw new RecipeError(`rule ${i}: "keep" must be true; got ${JSON.stringify(raw.keep)}`, { rule: i, field: 'keep' });
    rule.keep = true;
    return rule;
  }
  if (raw.prune !== undefined) {
    const p = raw.prune;
    if (!isObject(p)) throw new RecipeError(`rule ${i}: "prune" must be an object such as { "method": "wanda", "sparsity": 0.5 }; got ${JSON.stringify(p)}`, { rule: i, field: 'prune' });
    if (!isPruneMethodId(p.method)) throw new RecipeError(`rule ${i}: prune.method must be one of ${oneOf(PRUNE_METHODS)}; got ${JSON.stringify(p.method)}`, { rule: i, field: 'prune.method' });
    rule.prune = pruneMethodById(p.method).parse(p, i);
  }
  if (raw.quantize !== undefined) {
    const q = raw.quantize;
    if (!isObject(q)) throw new RecipeError(`rule ${i}: "quantize" must be an object such as { "method": "rtn", "bits": 4 }; got ${JSON.stringify(q)}`, { rule: i, field: 'quantize' });
    if (!isQuantizeMethodId(q.method)) {
      throw new RecipeError(`rule ${i}: quantize.method must be one of ${oneOf(QUANTIZE_METHODS)}; got ${JSON.stringify(q.method)}`, { rule: i, field: 'quantize.method' });
    }
    rule.quantize = methodById(q.method).parse(q, i);
  }
  return rule;
}

function parseCalibration(value: unknown): CalibrationSpec {
  if (!isObject(value)) throw new RecipeError(`"calibration" must be an object such as { "text": "builtin", "windows": 128 }; got ${JSON.stringify(value)}`, { field: 'calibration' });
  for (const key of Object.keys(value)) if (!(CALIBRATION_FIELDS as readonly string[]).includes(key)) throw unknownField(key, CALIBRATION_FIELDS, 'calibration: ');
  const text = value.text ?? DEFAULT_CALIBRATION.text;
  if (typeof text !== 'string' || text === '') throw new RecipeError(`calibration.text must be "builtin" or the name of a text file; got ${JSON.stringify(value.text)}`, { field: 'calibration.text' });
  const windows = value.windows ?? DEFAULT_CALIBRATION.windows;
  if (typeof windows !== 'number' || !Number.isInteger(windows) || windows < 1) {
    throw new RecipeError(`calibration.windows must be a positive integer (windows of 256 tokens); got ${JSON.stringify(value.windows)}`, { field: 'calibration.windows' });
  }
  const sequential = value.sequential ?? DEFAULT_CALIBRATION.sequential;
  if (typeof sequential !== 'boolean') throw new RecipeError(`calibration.sequential must be true or false; got ${JSON.stringify(value.sequential)}`, { field: 'calibration.sequential' });
  const spec: CalibrationSpec = { text, windows, sequential };
  if (value.imatrix !== undefined) {
    if (typeof value.imatrix !== 'string' || value.imatrix === '') {
      throw new RecipeError(`calibration.imatrix must name an importance-matrix file (llama-imatrix's .gguf or .dat); got ${JSON.stringify(value.imatrix)}`, { field: 'calibration.imatrix' });
    }
    spec.imatrix = value.imatrix;
  }
  return spec;
}

/** Validates recipe JSON (already parsed) and returns it canonical; throws RecipeError. */
export function parseRecipe(value: unknown): Recipe {
  if (!isObject(value)) throw new RecipeError(`a recipe must be a JSON object with "recipe": ${RECIPE_VERSION} and "rules"; got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  for (const key of Object.keys(value)) if (!(TOP_FIELDS as readonly string[]).includes(key)) throw unknownField(key, TOP_FIELDS, '');
  if (value.recipe !== RECIPE_VERSION) {
    throw new RecipeError(`"recipe" must be ${RECIPE_VERSION} (the recipe format version this studio reads); got ${JSON.stringify(value.recipe)}`, { field: 'recipe' });
  }
  const recipe: Recipe = { recipe: RECIPE_VERSION, rules: [] };
  if (value.name !== undefined) {
    if (typeof value.name !== 'string') throw new RecipeError(`"name" must be a string; got ${JSON.stringify(value.name)}`, { field: 'name' });
    recipe.name = value.name;
  }
  if (value.preset !== undefined) {
    if (!(GGUF_PRESET_NAMES as readonly unknown[]).includes(value.preset)) {
      throw new RecipeError(`"preset" must be one of ${GGUF_PRESET_NAMES.join(', ')} (llama.cpp mixes and pure types); got ${JSON.stringify(value.preset)}`, { field: 'preset' });
    }
    recipe.preset = value.preset as GgufPresetName;
  }
  if (value.pure !== undefined) {
    if (typeof value.pure !== 'boolean') throw new RecipeError(`"pure" must be true or false; got ${JSON.stringify(value.pure)}`, { field: 'pure' });
    if (recipe.preset === undefined) throw new RecipeError('"pure" applies to a "preset" (llama-quantize --pure), and this recipe has none', { field: 'pure' });
    recipe.pure = value.pure;
  }
  if (value.imatrix !== undefined) {
    if (typeof value.imatrix !== 'boolean') throw new RecipeError(`"imatrix" must be true or false; got ${JSON.stringify(value.imatrix)}`, { field: 'imatrix' });
    if (recipe.preset === undefined) throw new RecipeError('"imatrix" at the top applies to a "preset"; a rule of its own takes "quantize": { "method": "ggml", "type": …, "imatrix": true }', { field: 'imatrix' });
    if (value.imatrix) recipe.imatrix = true;
  }
  if (value.dtype !== undefined) {
    if (!(RECIPE_DTYPES as readonly unknown[]).includes(value.dtype)) throw new RecipeError(`"dtype" must be one of ${oneOf(RECIPE_DTYPES)}; got ${JSON.stringify(value.dtype)}`, { field: 'dtype' });
    recipe.dtype = value.dtype as RecipeDtype;
  }
  if (value.calibration !== undefined) recipe.calibration = parseCalibration(value.calibration);
  if (!Array.isArray(value.rules)) throw new RecipeError(`"rules" must be a list of rules (it may be empty); got ${JSON.stringify(value.rules)}`, { field: 'rules' });
  recipe.rules = value.rules.map(parseRule);
  return canonicalRecipe(recipe);
}

/** Parses recipe text (a file); JSON syntax errors say where. */
export function parseRecipeText(text: string, source = 'recipe'): Recipe {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new RecipeError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  return parseRecipe(value);
}
