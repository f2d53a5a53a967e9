// Recipe + model + output format → plan (DESIGN "The compression seam": "resolveRecipe"):
// the rules (the recipe's own, then its preset's expansion) are tried in order against every
// tensor rules can see (matmul weights and embeddings); the first whose pattern matches the layer
// or the tensor name (and whose role, if given, fits) decides; unmatched tensors are kept. The
// method says whether it can apply, the exporter how the result is stored and what it takes.
// No weight is read; what cannot be run is refused here, naming the rule and the tensor.
import { actionPrune, type AwqScaleGroup, type CompressionPlan, type OutputFormat, type TensorAction, type TensorPlan } from '../../core/compression-plan';
import { RecipeError } from '../../core/errors';
import { EVAL_PROTOCOL } from '../../core/evaluation';
import type { TensorInfo } from '../../core/model-index';
import { recipeId } from '../../core/recipe-id';
import { compressibleTensors, firstMatch, ruleMatchers } from '../../core/rule-match';
import { DEFAULT_CALIBRATION, pruneLabel, quantizeLabel, type MethodNeeds, type Recipe, type RecipeRule } from '../../core/recipe';
import { methodOf, pruneMethodOf } from '../methods/registry';
import { resizedTensor } from '../../core/weight-layout';
import { channelPlan, type Matched } from './channel-plan';
import { attentionHeadsOf, awqPlan } from './awq-plan';
import { exportContextOf } from '../export-context';
import type { ExportContext, ExportTarget } from '../exporters/exporter';
import { exporterFor } from '../exporters/registry';
import type { OpenedModel } from '../open-model';
import { sourceWarnings } from './plan-warnings';

/** A plan and the export target it was made for (the target writes it). */
export interface ResolvedPlan {
  plan: CompressionPlan;
  target: ExportTarget;
}

function actionOf(r: RecipeRule | undefined): TensorAction {
  if (r?.quantize) return r.prune ? { kind: 'quantize', spec: r.quantize, prune: r.prune } : { kind: 'quantize', spec: r.quantize };
  if (r?.prune) return { kind: 'prune', prune: r.prune };
  return { kind: 'keep' };
}

/** Calibration needs from least to most (a Hessian run also gives the sums of squares). */
const NEEDS_ORDER: readonly MethodNeeds[] = ['nothing', 'input-stats', 'hessian'];

/** llama.cpp types whose blocks have a minimum (x = d·q + m): a pruned zero is not exactly representable. */
const GGML_WITH_MINIMUMS = new Set(['Q4_1', 'Q5_1', 'Q2_K', 'Q4_K', 'Q5_K']);

/**
 * Refuses what a rule cannot do to a tensor (naming both); returns what its methods need from
 * calibration. `t` is the source tensor, `out` what is written (narrower after channel pruning).
 */
function checkAction(action: TensorAction, t: TensorInfo, out: TensorInfo, rule: number | null, hasGraph: boolean, imatrixFile: string | undefined): MethodNeeds {
  const at = { rule: rule ?? undefined, tensor: t.name };
  const prune = actionPrune(action);
  /** Calibrated methods need the graph to run (or, for per-column sums, an importance matrix file) and an input to measure. */
  const checkCalibrated = (label: string, needs: MethodNeeds, verb: string, instead: string) => {
    if (needs === 'nothing') return;
    if (t.role === 'embedding') {
      throw new RecipeError(`rule ${rule} (${label}) cannot ${verb} the embedding ${t.layer} (${t.name}): it has no input activations to calibrate on (${instead}, or keep it)`, at);
    }
    if (imatrixFile !== undefined) {
      if (needs === 'hessian') {
        throw new RecipeError(`rule ${rule} (${label}) needs a Hessian of its input, which the importance matrix ${imatrixFile} (per-column means only) cannot give: remove calibration.imatrix to calibrate on text, or ${instead}`, at);
      }
      return;
    }
    if (!hasGraph) throw new RecipeError(`rule ${rule} (${label}) needs calibration, which runs the model's ONNX graph; this model has none (${instead}${needs === 'input-stats' ? ', or give an importance matrix file as calibration.imatrix' : ''})`, at);
  };
  let needs: MethodNeeds = 'nothing';
  if (prune) {
    const method = pruneMethodOf(prune);
    const problem = method.problem(prune, t);
    if (problem) throw new RecipeError(`rule ${rule} (${pruneLabel(prune)}) cannot prune ${t.layer} (${t.name}): ${problem}`, at);
    needs = method.needs(prune, t);
    checkCalibrated(pruneLabel(prune), needs, 'prune', 'use method "magnitude"');
  }
  if (action.kind === 'quantize') {
    const method = methodOf(action.spec);
    const problem = method.problem(action.spec, out);
    if (problem) throw new RecipeError(`rule ${rule} (${quantizeLabel(action.spec)}) cannot quantize ${t.layer} (${t.name}): ${problem}`, at);
    const quantizeNeeds = method.needs(action.spec, out);
    checkCalibrated(quantizeLabel(action.spec), quantizeNeeds, 'quantize', 'use method "rtn"');
    if (prune && quantizeNeeds !== 'nothing') {
      // GPTQ updates every weight it has not yet quantized, so it would refill pruned zeros; and after
      // channel pruning the Hessian is that of the wider input.
      throw new RecipeError(`rule ${rule} prunes (${pruneLabel(prune)}) and quantizes with ${action.spec.method}, which is not supported yet: quantize pruned weights with "rtn" or "ggml"`, { ...at, field: 'quantize.method' });
    }
    needs = NEEDS_ORDER.indexOf(quantizeNeeds) > NEEDS_ORDER.indexOf(needs) ? quantizeNeeds : needs;
    if (prune && action.spec.method === 'hqq' && action.spec.zeroPoint === 'float') {
      throw new RecipeError(
        `rule ${rule} prunes and quantizes with HQQ's float zero points, which cannot store exact zeros (0 dequantizes to (round(z) − z)·s): set quantize.zeroPoint to "integer" after pruning`,
        { ...at, field: 'quantize.zeroPoint' },
      );
    }
    if (prune && action.spec.method === 'ggml' && GGML_WITH_MINIMUMS.has(action.spec.type)) {
      throw new RecipeError(
        `rule ${rule} prunes and quantizes to ${action.spec.type}, whose blocks have a minimum and cannot store exact zeros: use Q8_0, Q5_0, Q4_0, Q6_K or Q3_K after pruning`,
        { ...at, field: 'quantize.type' },
      );
    }
  }
  return needs;
}

/**
 * A warning when the Hessian methods calibrate on fewer tokens than HESSIAN_TOKENS_PER_INPUT × the
 * widest input they see: H = XᵀX of an n-wide input is then estimated from too few rows, and the
 * solve fits the calibration text more than the model (measured on tiny-llama, inputs of 384:
 * GPTQ 3-bit/128 on 512 tokens scored worse than round-to-nearest, on 1,024 better).
 */
function fewCalibrationTokens(plan: CompressionPlan): string | undefined {
  if (!plan.calibration) return undefined;
  const widest = Math.max(0, ...plan.tensors.filter((t) => t.needs === 'hessian').map((t) => t.cols));
  const tokens = plan.calibration.windows * EVAL_PROTOCOL.windowLength;
  if (widest === 0 || tokens >= HESSIAN_TOKENS_PER_INPUT * widest) return undefined;
  const enough = Math.ceil((HESSIAN_TOKENS_PER_INPUT * widest) / EVAL_PROTOCOL.windowLength);
  return `calibration sees ${tokens} tokens, fewer than ${HESSIAN_TOKENS_PER_INPUT} × the widest input a Hessian method measures (${widest}): its Hessians are poorly estimated and the result may be worse than round-to-nearest; ${enough} windows or more are advised`;
}

/**
 * The vectors AWQ divides by its scales — norms before q/k/v and gate/up, and the bias of rows it
 * divides (Qwen2's v_proj) — as plan entries after the weights (rule: the one that quantized the weights after it).
 */
function foldedVectors(groups: readonly AwqScaleGroup[], all: readonly TensorInfo[], weights: readonly TensorPlan[], target: ExportTarget): TensorPlan[] {
  const infos = new Map(all.map((t) => [t.name, t]));
  const byName = new Map(weights.map((t) => [t.name, t]));
  return groups.flatMap((g) => {
    const folded = g.producer.kind === 'norm' ? g.producer.name : g.producer.bias;
    if (folded === undefined) return [];
    const t = infos.get(folded)!;
    const rule = byName.get(g.consumers[0])!.rule;
    const action: TensorAction = { kind: 'fold' };
    const encoding = target.encode(t, action, rule);
    const after = g.consumers.map((c) => byName.get(c)!.layer.replace(/^.*\./, '')).join(', ');
    const plan: TensorPlan = {
      name: t.name, layer: t.layer, role: t.role, rows: 1, cols: t.numel, numel: t.numel, rule, action, needs: 'nothing',
      encoding, bytesBefore: t.byteLength, bytesAfter: target.tensorBytes(t, encoding),
      notes: [`divided by the AWQ input scales of ${after} (the model computes the same; those weights carry the scales)`],
    };
    return [plan];
  });
}

/** Calibration tokens per input channel below which a Hessian is called poorly estimated. */
export const HESSIAN_TOKENS_PER_INPUT = 4;

export async function resolveRecipe(model: OpenedModel, recipe: Recipe, format: OutputFormat, context: ExportContext = {}): Promise<ResolvedPlan> {
  const target = exporterFor(format).prepare(model, recipe, context);
  let presetRules: RecipeRule[] = [];
  let fallbacks = new Map<string, { from: string; to: string; message: string }>();
  const planNotes: string[] = [];
  if (recipe.preset) {
    if (!target.presetRules) throw new RecipeError(`"preset" ${recipe.preset} is a llama.cpp mix, for GGUF output; ${format} output takes rules`, { field: 'preset' });
    const expansion = target.presetRules(recipe);
    presetRules = expansion.rules;
    fallbacks = expansion.fallbacks;
    if (expansion.summary) planNotes.push(`llama.cpp: ${expansion.summary}`);
  }
  const rules = [...recipe.rules, ...presetRules];
  const matchers = ruleMatchers(rules);

  const matched: Matched[] = compressibleTensors(model.index.tensors).map((t) => {
    const rule = firstMatch(matchers, t);
    return { t, rule, action: actionOf(rule === null ? undefined : rules[rule]) };
  });
  const { resized, mlpWidth } = channelPlan(matched, model.index.tensors, rules, format);
  const usesAwq = matched.some((m) => m.action.kind === 'quantize' && m.action.spec.method === 'awq');
  const config = usesAwq ? (context.config ?? (model.config ? (await exportContextOf(model)).config : undefined)) : undefined;
  const awq = usesAwq ? awqPlan(matched, model.index.tensors, rules, attentionHeadsOf(config)) : undefined;

  const tensors: TensorPlan[] = matched.map(({ t: source, rule, action }) => {
    const resize = resized.get(source.name);
    // What is written: the tensor itself, or its narrower self after channel pruning.
    const t = resize ? resizedTensor(source, resize.rows, resize.cols) : source;
    const needs = checkAction(action, source, t, rule, model.onnx !== undefined || context.assumeGraph === true, recipe.calibration?.imatrix);
    const encoding = target.encode(t, action, rule);
    const fallback = fallbacks.get(t.name);
    const notes = fallback ? [`llama.cpp fallback: ${fallback.message}`] : [];
    const awqNote = awq?.notes.get(t.name);
    if (awqNote) notes.push(awqNote);
    if (encoding.kind === 'tied') notes.push(`tied to ${encoding.to}: ${format} stores the output head once, as the token embedding`);
    if ((encoding.kind === 'matmul-nbits' || encoding.kind === 'gather-block-quantized') && t.layout!.cols % encoding.packBlock !== 0) {
      const padded = Math.ceil(t.layout!.cols / encoding.packBlock) * encoding.packBlock;
      notes.push(`rows of ${t.layout!.cols} are padded to ${padded} for blocks of ${encoding.packBlock} (MatMulNBits stores whole blocks)`);
    }
    if (encoding.kind === 'matmul-nbits' && encoding.bits !== encoding.storedBits) notes.push(`${encoding.bits}-bit codes are stored in ${encoding.storedBits}-bit containers (MatMulNBits has no ${encoding.bits}-bit packing)`);
    if (resize) notes.push(`keeps ${resize.kept} of its MLP's ${resize.of} channels: [${source.layout!.rows}, ${source.layout!.cols}] → [${t.layout!.rows}, ${t.layout!.cols}]`);
    return {
      name: t.name,
      layer: t.layer,
      role: t.role,
      rows: t.layout!.rows,
      cols: t.layout!.cols,
      numel: t.numel,
      ...(resize ? { channels: { kept: resize.kept, of: resize.of, axis: resize.axis } } : {}),
      rule,
      action,
      needs,
      encoding,
      bytesBefore: source.byteLength,
      bytesAfter: target.tensorBytes(t, encoding),
      ...(fallback ? { fallback } : {}),
      notes,
    };
  });

  if (awq) tensors.push(...foldedVectors(awq.groups, model.index.tensors, tensors, target));

  const quantized = tensors.filter((t) => t.action.kind === 'quantize' && t.encoding.kind !== 'tied');
  const calibrated = tensors.some((t) => t.needs !== 'nothing');
  const quantizedBytes = quantized.reduce((n, t) => n + t.bytesAfter, 0);
  const quantizedNumel = quantized.reduce((n, t) => n + t.numel, 0);
  const plan: CompressionPlan = {
    format,
    recipe,
    recipeId: recipeId(recipe),
    rules,
    ruleSources: rules.map((_, i) => (i < recipe.rules.length ? 'recipe' : `preset ${recipe.preset}`)),
    tensors,
    order: [],
    inputBytes: model.index.fileBytes,
    outputBytes: 0,
    bitsPerWeight: quantizedNumel === 0 ? 0 : (8 * quantizedBytes) / quantizedNumel,
    notes: planNotes,
    ...(calibrated ? { calibration: recipe.calibration ?? DEFAULT_CALIBRATION } : {}),
    ...(mlpWidth ? { mlpWidth } : {}),
    ...(awq?.groups.length ? { awq: awq.groups } : {}),
  };
  if (mlpWidth) plan.notes.push(`channel pruning keeps ${mlpWidth.to} of ${mlpWidth.from} MLP channels in every layer: the model is smaller and faster, and its ${format === 'gguf' ? 'feed_forward_length' : format === 'safetensors' ? 'config.json intermediate_size' : 'MLP'} says ${mlpWidth.to}`);
  if (format !== 'safetensors' && tensors.some((t) => t.action.kind === 'prune' && !t.channels)) {
    plan.notes.push('pruned weights that are not quantized are stored dense: zeros do not make a file smaller by themselves (the report gives the compressed size)');
  }
  const hessianNote = fewCalibrationTokens(plan);
  if (hessianNote) plan.notes.push(hessianNote);
  plan.order = target.order(plan);
  plan.outputBytes = await target.fileBytes(plan);
  plan.notes.push(...target.planNotes(plan)); // after sizing: whether the files need external data shows there
  plan.notes.push(...sourceWarnings(plan, model));
  return { plan, target };
}
