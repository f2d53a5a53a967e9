// Recipe validation: every message a person can get for an invalid recipe, asserted once, each
// naming the rule (index) and the field; what the parser accepts it returns canonical with
// defaults filled; and the JSON schema in docs/ accepts exactly what the parser accepts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { RecipeError } from '../../core/errors';
import { recipeId } from '../../core/recipe-id';
import { parseRecipe, parseRecipeText } from './parse-recipe';

const ISSUE_EXAMPLE = {
  recipe: 1,
  rules: [
    { match: 'lm_head|embed', keep: true },
    { match: 'self_attn\\.(v|o)_proj|mlp\\.down_proj', quantize: { method: 'rtn', bits: 8, group: 'per-channel', symmetric: true } },
    { match: '.*', quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } },
  ],
};

const rule = (quantize: unknown) => ({ recipe: 1, rules: [{ match: '.*', keep: true }, { match: 'mlp', quantize }] });
const pruneRule = (prune: unknown) => ({ recipe: 1, rules: [{ match: 'lm_head', keep: true }, { match: 'mlp', prune }] });

/** [what is wrong, the recipe, the message, the rule and field it names] */
const INVALID: [string, unknown, string, { rule?: number; field?: string }][] = [
  ['not an object', [1, 2], 'a recipe must be a JSON object with "recipe": 1 and "rules"; got an array', {}],
  ['unknown top-level field', { recipe: 1, rules: [], colour: 'red' }, 'unknown field "colour" (expected recipe, name, preset, pure, imatrix, dtype, calibration, rules)', { field: 'colour' }],
  ['wrong version', { recipe: 2, rules: [] }, '"recipe" must be 1 (the recipe format version this studio reads); got 2', { field: 'recipe' }],
  ['name not a string', { recipe: 1, name: 3, rules: [] }, '"name" must be a string; got 3', { field: 'name' }],
  ['unknown preset', { recipe: 1, preset: 'Q4_K_X', rules: [] }, '"preset" must be one of Q8_0, Q6_K, Q5_K_M, Q4_K_M, Q4_0, Q3_K_M, Q2_K, Q4_1, Q5_0, Q5_1, Q3_K_S, Q4_K_S, Q5_K_S (llama.cpp mixes and pure types); got "Q4_K_X"', { field: 'preset' }],
  ['pure not a boolean', { recipe: 1, preset: 'Q8_0', pure: 'yes', rules: [] }, '"pure" must be true or false; got "yes"', { field: 'pure' }],
  ['pure without a preset', { recipe: 1, pure: true, rules: [] }, '"pure" applies to a "preset" (llama-quantize --pure), and this recipe has none', { field: 'pure' }],
  ['bad dtype', { recipe: 1, dtype: 'fp8', rules: [] }, '"dtype" must be one of "f32", "f16", "bf16"; got "fp8"', { field: 'dtype' }],
  ['rules missing', { recipe: 1 }, '"rules" must be a list of rules (it may be empty); got undefined', { field: 'rules' }],
  ['rule not an object', { recipe: 1, rules: ['.*'] }, 'rule 0: must be an object with "match" and "keep", "prune" or "quantize"; got ".*"', { rule: 0 }],
  ['unknown rule field', { recipe: 1, rules: [{ match: '.*', keep: true, bits: 4 }] }, 'rule 0: unknown field "bits" (expected match, role, keep, prune, quantize)', { rule: 0, field: 'bits' }],
  ['match not a string', { recipe: 1, rules: [{ match: 5, keep: true }] }, 'rule 0: "match" must be a regular expression as a string; got 5', { rule: 0, field: 'match' }],
  ['bad regular expression', { recipe: 1, rules: [{ match: '.*', keep: true }, { match: '(', keep: true }] }, 'rule 1: "match" is not a valid regular expression: Invalid regular expression: /(/: Unterminated group', { rule: 1, field: 'match' }],
  ['bad role', { recipe: 1, rules: [{ match: '.*', role: 'norm', keep: true }] }, 'rule 0: "role" must be one of "matmul-weight", "embedding"; got "norm"', { rule: 0, field: 'role' }],
  ['neither keep nor quantize', { recipe: 1, rules: [{ match: '.*' }] }, 'rule 0: give either "keep": true, or "prune" and/or "quantize": { … }', { rule: 0, field: 'keep' }],
  ['both keep and quantize', { recipe: 1, rules: [{ match: '.*', keep: true, quantize: { method: 'rtn', bits: 4 } }] }, 'rule 0: give either "keep": true, or "prune" and/or "quantize": { … }, not both', { rule: 0, field: 'quantize' }],
  ['keep false', { recipe: 1, rules: [{ match: '.*', keep: false }] }, 'rule 0: "keep" must be true; got false', { rule: 0, field: 'keep' }],
  ['quantize not an object', rule(4), 'rule 1: "quantize" must be an object such as { "method": "rtn", "bits": 4 }; got 4', { rule: 1, field: 'quantize' }],
  ['unknown method', rule({ method: 'bnb', bits: 4 }), 'rule 1: quantize.method must be one of "rtn", "ggml", "gptq", "hqq", "awq"; got "bnb"', { rule: 1, field: 'quantize.method' }],
  ['rtn bits 5', rule({ method: 'rtn', bits: 5 }), 'rule 1: quantize.bits must be 2, 3, 4 or 8 for rtn; got 5', { rule: 1, field: 'quantize.bits' }],
  ['rtn bad group', rule({ method: 'rtn', bits: 4, group: 48 }), 'rule 1: quantize.group must be 16, 32, 64, 128, 256 or "per-channel"; got 48', { rule: 1, field: 'quantize.group' }],
  ['rtn symmetric not a boolean', rule({ method: 'rtn', bits: 4, symmetric: 'no' }), 'rule 1: quantize.symmetric must be true or false; got "no"', { rule: 1, field: 'quantize.symmetric' }],
  ['rtn unknown field', rule({ method: 'rtn', bits: 4, type: 'Q4_0' }), 'rule 1: unknown field quantize.type for method rtn (it takes bits, group, symmetric)', { rule: 1, field: 'quantize.type' }],
  ['gptq bits 5', rule({ method: 'gptq', bits: 5 }), 'rule 1: quantize.bits must be 2, 3, 4 or 8 for gptq; got 5', { rule: 1, field: 'quantize.bits' }],
  ['gptq damping 0', rule({ method: 'gptq', bits: 4, damping: 0 }), "rule 1: quantize.damping must be a number in (0, 1) (a fraction of the Hessian's mean diagonal); got 0", { rule: 1, field: 'quantize.damping' }],
  ['gptq fractional blocksize', rule({ method: 'gptq', bits: 4, blocksize: 12.5 }), 'rule 1: quantize.blocksize must be a positive integer (columns per block); got 12.5', { rule: 1, field: 'quantize.blocksize' }],
  ['gptq actOrder not a boolean', rule({ method: 'gptq', bits: 3, actOrder: 'yes' }), 'rule 1: quantize.actOrder must be true or false; got "yes"', { rule: 1, field: 'quantize.actOrder' }],
  ['gptq unknown field', rule({ method: 'gptq', bits: 4, imatrix: true }), 'rule 1: unknown field quantize.imatrix for method gptq (it takes bits, group, symmetric, type, damping, blocksize, actOrder)', { rule: 1, field: 'quantize.imatrix' }],
  ['gptq type with bits', rule({ method: 'gptq', bits: 4, type: 'Q4_0' }), 'rule 1: quantize.bits does not go with quantize.type (the llama.cpp type is the grid)', { rule: 1, field: 'quantize.bits' }],
  ['gptq type it cannot solve on', rule({ method: 'gptq', type: 'Q3_K' }), 'rule 1: quantize.type must be one of Q8_0, Q4_0, Q4_K, Q6_K for gptq (a llama.cpp block type); got "Q3_K"', { rule: 1, field: 'quantize.type' }],
  ['ggml bad type', rule({ method: 'ggml', type: 'Q9_K' }), 'rule 1: quantize.type must be one of F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K for ggml; got "Q9_K"', { rule: 1, field: 'quantize.type' }],
  ['ggml unknown field', rule({ method: 'ggml', type: 'Q4_K', bits: 4 }), 'rule 1: unknown field quantize.bits for method ggml (it takes type, imatrix)', { rule: 1, field: 'quantize.bits' }],
  ['keep and prune', { recipe: 1, rules: [{ match: '.*', keep: true, prune: { method: 'magnitude', sparsity: 0.5 } }] }, 'rule 0: give either "keep": true, or "prune" and/or "quantize": { … }, not both', { rule: 0, field: 'quantize' }],
  ['prune not an object', pruneRule('wanda'), 'rule 1: "prune" must be an object such as { "method": "wanda", "sparsity": 0.5 }; got "wanda"', { rule: 1, field: 'prune' }],
  ['unknown prune method', pruneRule({ method: 'random', sparsity: 0.5 }), 'rule 1: prune.method must be one of "magnitude", "wanda", "sparsegpt", "channels"; got "random"', { rule: 1, field: 'prune.method' }],
  ['sparsity 1', pruneRule({ method: 'magnitude', sparsity: 1 }), 'rule 1: prune.sparsity must be a number in [0, 1) (the fraction of weights set to zero); got 1', { rule: 1, field: 'prune.sparsity' }],
  ['negative sparsity', pruneRule({ method: 'wanda', sparsity: -0.1 }), 'rule 1: prune.sparsity must be a number in [0, 1) (the fraction of weights set to zero); got -0.1', { rule: 1, field: 'prune.sparsity' }],
  ['sparsity as text', pruneRule({ method: 'wanda', sparsity: '50%' }), 'rule 1: prune.sparsity must be a number in [0, 1) (the fraction of weights set to zero); got "50%"', { rule: 1, field: 'prune.sparsity' }],
  ['neither sparsity nor pattern', pruneRule({ method: 'wanda' }), 'rule 1: prune needs exactly one of "sparsity" (e.g. 0.5) or "pattern" ("2:4", "4:8")', { rule: 1, field: 'prune.sparsity' }],
  ['both sparsity and pattern', pruneRule({ method: 'wanda', sparsity: 0.5, pattern: '2:4' }), 'rule 1: prune needs exactly one of "sparsity" (e.g. 0.5) or "pattern" ("2:4", "4:8")', { rule: 1, field: 'prune.pattern' }],
  ['unknown pattern', pruneRule({ method: 'sparsegpt', pattern: '1:3' }), 'rule 1: prune.pattern must be "2:4" or "4:8" (N nonzeros in every M inputs); got "1:3"', { rule: 1, field: 'prune.pattern' }],
  ['bad magnitude scope', pruneRule({ method: 'magnitude', sparsity: 0.5, scope: 'column' }), 'rule 1: prune.scope must be "tensor" or "row"; got "column"', { rule: 1, field: 'prune.scope' }],
  ['scope for wanda', pruneRule({ method: 'wanda', sparsity: 0.5, scope: 'row' }), 'rule 1: unknown field prune.scope for method wanda (it takes sparsity, pattern)', { rule: 1, field: 'prune.scope' }],
  ['bad sparsegpt damping', pruneRule({ method: 'sparsegpt', sparsity: 0.5, damping: 0 }), "rule 1: prune.damping must be a number in (0, 1) (a fraction of the Hessian's mean diagonal); got 0", { rule: 1, field: 'prune.damping' }],
  ['bad sparsegpt blocksize', pruneRule({ method: 'sparsegpt', sparsity: 0.5, blocksize: 12.5 }), 'rule 1: prune.blocksize must be a positive integer (columns per block); got 12.5', { rule: 1, field: 'prune.blocksize' }],
  ['channels with a pattern', pruneRule({ method: 'channels', pattern: '2:4' }), 'rule 1: unknown field prune.pattern for method channels (it takes sparsity)', { rule: 1, field: 'prune.pattern' }],
  ['channels sparsity 1', pruneRule({ method: 'channels', sparsity: 1 }), 'rule 1: prune.sparsity must be a number in [0, 1) (the fraction of MLP channels removed); got 1', { rule: 1, field: 'prune.sparsity' }],
  ['calibration not an object', { recipe: 1, calibration: 'builtin', rules: [] }, '"calibration" must be an object such as { "text": "builtin", "windows": 128 }; got "builtin"', { field: 'calibration' }],
  ['empty calibration text', { recipe: 1, calibration: { text: '', windows: 16 }, rules: [] }, 'calibration.text must be "builtin" or the name of a text file; got ""', { field: 'calibration.text' }],
  ['ggml imatrix not a boolean', rule({ method: 'ggml', type: 'Q4_K', imatrix: 'imatrix.gguf' }), 'rule 1: quantize.imatrix must be true or false; got "imatrix.gguf"', { rule: 1, field: 'quantize.imatrix' }],
  ['imatrix without a preset', { recipe: 1, imatrix: true, rules: [] }, '"imatrix" at the top applies to a "preset"; a rule of its own takes "quantize": { "method": "ggml", "type": …, "imatrix": true }', { field: 'imatrix' }],
  ['imatrix not a boolean', { recipe: 1, preset: 'Q4_K_M', imatrix: 1, rules: [] }, '"imatrix" must be true or false; got 1', { field: 'imatrix' }],
  ['empty calibration.imatrix', { recipe: 1, calibration: { imatrix: '' }, rules: [] }, 'calibration.imatrix must name an importance-matrix file (llama-imatrix\'s .gguf or .dat); got ""', { field: 'calibration.imatrix' }],
  ['calibration windows 0', { recipe: 1, calibration: { text: 'builtin', windows: 0 }, rules: [] }, 'calibration.windows must be a positive integer (windows of 256 tokens); got 0', { field: 'calibration.windows' }],
  ['hqq symmetric', { recipe: 1, rules: [{ match: '.*', quantize: { method: 'hqq', bits: 4, symmetric: true } }] }, 'rule 0: HQQ optimises the zero point of an asymmetric grid; quantize.symmetric must be false or left out', { rule: 0, field: 'quantize.symmetric' }],
  ['hqq 8-bit float zero points', { recipe: 1, rules: [{ match: '.*', quantize: { method: 'hqq', bits: 8, zeroPoint: 'float' } }] }, 'rule 0: 8-bit HQQ needs integer zero points: onnxruntime\'s MatMulNBits runs float zero points for 2-, 3- and 4-bit codes only; set quantize.zeroPoint to "integer"', { rule: 0, field: 'quantize.zeroPoint' }],
  ['hqq bad zero point', { recipe: 1, rules: [{ match: '.*', quantize: { method: 'hqq', bits: 4, zeroPoint: 'half' } }] }, 'rule 0: quantize.zeroPoint must be "float" or "integer"; got "half"', { rule: 0, field: 'quantize.zeroPoint' }],
  ['hqq lpNorm above 1', { recipe: 1, rules: [{ match: '.*', quantize: { method: 'hqq', bits: 4, lpNorm: 2 } }] }, 'rule 0: quantize.lpNorm must be a number in (0, 1] (the p of the lp error); got 2', { rule: 0, field: 'quantize.lpNorm' }],
  ['hqq unknown field', { recipe: 1, rules: [{ match: '.*', quantize: { method: 'hqq', bits: 4, damping: 0.1 } }] }, 'rule 0: unknown field quantize.damping for method hqq (it takes bits, group, symmetric, zeroPoint, iterations, lpNorm, beta, kappa)', { rule: 0, field: 'quantize.damping' }],
];

/** The issue's prune fields, alone and before quantization, with calibration. */
const PRUNE_EXAMPLES = [
  { recipe: 1, rules: [{ match: '.*', prune: { method: 'magnitude', sparsity: 0.5 } }] },
  { recipe: 1, calibration: { text: 'builtin', windows: 32 }, rules: [{ match: 'lm_head', keep: true }, { match: '.*', role: 'matmul-weight', prune: { method: 'wanda', pattern: '2:4' }, quantize: { method: 'rtn', bits: 4 } }] },
  { recipe: 1, calibration: { text: 'my-text.txt', windows: 8 }, rules: [{ match: 'mlp', prune: { method: 'sparsegpt', sparsity: 0.6, damping: 0.05, blocksize: 64 } }] },
  { recipe: 1, rules: [{ match: 'mlp', prune: { method: 'magnitude', pattern: '4:8', scope: 'row' } }] },
  { recipe: 1, calibration: { text: 'builtin', windows: 16, sequential: false }, rules: [{ match: 'mlp\\.(gate|up|down)_proj$', prune: { method: 'channels', sparsity: 0.25 }, quantize: { method: 'rtn', bits: 8 } }] },
];

/** GPTQ rules: the rtn grid with the solver's fields. */
const GPTQ_EXAMPLES = [
  { recipe: 1, calibration: { text: 'builtin', windows: 32 }, rules: [{ match: 'lm_head', keep: true }, { match: '.*', role: 'matmul-weight', quantize: { method: 'gptq', bits: 3, group: 128 } }] },
  { recipe: 1, rules: [{ match: 'mlp', quantize: { method: 'gptq', bits: 4, group: 'per-channel', symmetric: true, damping: 0.05, blocksize: 64, actOrder: true } }] },
];

const HQQ_EXAMPLES = [
  { recipe: 1, rules: [{ match: '.*', role: 'matmul-weight', quantize: { method: 'hqq', bits: 4 } }] },
  { recipe: 1, rules: [{ match: 'mlp', quantize: { method: 'hqq', bits: 8, group: 128, zeroPoint: 'integer', iterations: 10, lpNorm: 1, beta: 5, kappa: 1.05 } }] },
];

describe('parseRecipe', () => {
  it('accepts hqq rules and fills their defaults (group 64, float zero points below 8 bits, the reference solver settings)', () => {
    expect(parseRecipe(HQQ_EXAMPLES[0]).rules[0].quantize).toEqual({ method: 'hqq', bits: 4, group: 64, symmetric: false, zeroPoint: 'float', iterations: 20, lpNorm: 0.7, beta: 10, kappa: 1.01 });
    expect(parseRecipe(HQQ_EXAMPLES[1]).rules[0].quantize).toEqual({ ...HQQ_EXAMPLES[1].rules[0].quantize, symmetric: false });
    expect(parseRecipe({ recipe: 1, rules: [{ match: '.*', quantize: { method: 'hqq', bits: 8 } }] }).rules[0].quantize).toMatchObject({ zeroPoint: 'integer' });
  });

  it('accepts gptq rules and fills their defaults (group 32, asymmetric, damping 0.01, blocks of 128, natural order)', () => {
    expect(parseRecipe(GPTQ_EXAMPLES[0]).rules[1].quantize).toEqual({ method: 'gptq', bits: 3, group: 128, symmetric: false, damping: 0.01, blocksize: 128, actOrder: false });
    expect(parseRecipe(GPTQ_EXAMPLES[1]).rules[0].quantize).toEqual(GPTQ_EXAMPLES[1].rules[0].quantize);
    const plain = parseRecipe({ recipe: 1, rules: [{ match: '.*', quantize: { method: 'gptq', bits: 4 } }] });
    expect(recipeId(plain)).not.toBe(recipeId(parseRecipe({ recipe: 1, rules: [{ match: '.*', quantize: { method: 'gptq', bits: 4, actOrder: true } }] })));
  });

  it('accepts prune rules and fills their defaults (magnitude per tensor; SparseGPT damping 0.01, blocks of 128)', () => {
    expect(parseRecipe(PRUNE_EXAMPLES[0]).rules[0].prune).toEqual({ method: 'magnitude', sparsity: 0.5, scope: 'tensor' });
    expect(parseRecipe({ recipe: 1, rules: [{ match: 'mlp', prune: { method: 'sparsegpt', pattern: '2:4' } }] }).rules[0].prune).toEqual({ method: 'sparsegpt', pattern: '2:4', damping: 0.01, blocksize: 128 });
    const both = parseRecipe(PRUNE_EXAMPLES[1]);
    expect(both.calibration).toEqual({ text: 'builtin', windows: 32, sequential: true });
    expect(both.rules[1]).toEqual({ match: '.*', role: 'matmul-weight', prune: { method: 'wanda', pattern: '2:4' }, quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } });
  });

  it('accepts the issue\'s example and returns it canonical', () => {
    const r = parseRecipe(ISSUE_EXAMPLE);
    expect(r).toEqual(ISSUE_EXAMPLE);
    expect(JSON.stringify(parseRecipe(JSON.parse(JSON.stringify(r))))).toBe(JSON.stringify(r));
  });

  it('fills defaults (group 32, asymmetric) and orders keys, so equal recipes get equal ids', () => {
    const short = parseRecipe({ rules: [{ quantize: { bits: 4, method: 'rtn' }, match: '.*' }], recipe: 1 });
    expect(short).toEqual({ recipe: 1, rules: [{ match: '.*', quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } }] });
    const long = parseRecipe({ recipe: 1, name: 'four', rules: [{ match: '.*', quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } }] });
    expect(recipeId(short)).toBe(recipeId(long)); // the name does not count
    expect(recipeId(short)).toMatch(/^r-[0-9a-f]{16}$/);
    expect(recipeId(short)).not.toBe(recipeId(parseRecipe({ recipe: 1, rules: [{ match: '.*', quantize: { method: 'rtn', bits: 8 } }] })));
  });

  it('accepts presets, pure, dtype and roles', () => {
    expect(parseRecipe({ recipe: 1, preset: 'Q4_K_M', pure: true, dtype: 'f16', rules: [{ match: 'lm_head', role: 'matmul-weight', keep: true }] })).toEqual({
      recipe: 1, preset: 'Q4_K_M', pure: true, dtype: 'f16', rules: [{ match: 'lm_head', role: 'matmul-weight', keep: true }],
    });
  });

  for (const [what, recipe, message, where] of INVALID) {
    it(`refuses ${what}, naming where`, () => {
      let thrown: unknown;
      try {
        parseRecipe(recipe);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(RecipeError);
      expect((thrown as RecipeError).message).toBe(message);
      expect((thrown as RecipeError).code).toBe('usage');
      expect((thrown as RecipeError).details).toMatchObject(where);
    });
  }

  it('says where JSON text is broken', () => {
    expect(() => parseRecipeText('{"recipe": 1, "rules": [}', 'mine.json')).toThrow(/^mine\.json is not valid JSON: /);
  });
});

const IMATRIX_EXAMPLE = {
  recipe: 1,
  preset: 'Q4_K_M',
  imatrix: true,
  calibration: { imatrix: 'imatrix.gguf' },
  rules: [{ match: 'down_proj', quantize: { method: 'ggml', type: 'Q6_K', imatrix: true } }],
};

describe('importance-matrix fields', () => {
  it('keep their values through parsing and the canonical form (and so the recipe id)', () => {
    expect(parseRecipe(IMATRIX_EXAMPLE)).toEqual({
      recipe: 1,
      preset: 'Q4_K_M',
      imatrix: true,
      calibration: { text: 'builtin', windows: 128, sequential: true, imatrix: 'imatrix.gguf' },
      rules: [{ match: 'down_proj', quantize: { method: 'ggml', type: 'Q6_K', imatrix: true } }],
    });
    expect(recipeId(parseRecipe(IMATRIX_EXAMPLE))).not.toBe(recipeId(parseRecipe({ ...IMATRIX_EXAMPLE, imatrix: false })));
  });
});

describe('docs/recipe.schema.json', () => {
  const schema = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../docs/recipe.schema.json'), 'utf8'));
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

  it('accepts every recipe the parser accepts', () => {
    for (const r of [ISSUE_EXAMPLE, { recipe: 1, rules: [] }, ...PRUNE_EXAMPLES, ...GPTQ_EXAMPLES, ...HQQ_EXAMPLES, { recipe: 1, preset: 'Q4_K_M', pure: true, dtype: 'bf16', name: 'x', rules: [{ match: 'a', role: 'embedding', quantize: { method: 'ggml', type: 'Q8_0' } }] }, IMATRIX_EXAMPLE]) {
      parseRecipe(r);
      expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('rejects every recipe the parser rejects (an invalid regular expression aside: JSON Schema cannot tell)', () => {
    for (const [what, recipe] of INVALID) {
      if (what === 'bad regular expression') continue;
      expect(validate(recipe), what).toBe(false);
    }
  });
});
