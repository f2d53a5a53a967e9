// The recipe being edited and its plan: output format, quick recipes, rules (add, change,
// reorder, delete), preset / pure / dtype, loading and saving recipe JSON, and the recipe an
// opened export carries. Every change asks the worker for a fresh plan (debounced), so each rule
// shows what it takes and a mistake is reported at the rule, before any work.
import type { StateCreator } from 'zustand';
import type { CompressionPlan, OutputFormat } from '../core/compression-plan';
import { canonicalRecipe } from '../core/recipe-id';
import { DEFAULT_CALIBRATION, isIntGridSpec, type CalibrationSpec, type GgufPresetName, type Recipe, type RecipeDtype, type RecipeRule } from '../core/recipe';
import { RecipeError } from '../core/errors';
import { outputFileName } from '../core/output-names';
import { defaultQuickRecipe, QUICK_RECIPES } from './quick-recipes';
import { downloadBlob, pickSaveTarget, savePicker } from './save-file';
import type { ImatrixInfo } from '../workers/studio-api';
import { studioClient } from './studio-client';
import type { StudioState } from './studio-state';

export interface PlanError {
  message: string;
  rule?: number;
  field?: string;
  tensor?: string;
}

export interface RecipeSlice {
  outputFormat: OutputFormat;
  recipe: Recipe;
  /** The quick recipe the editor holds, until it is edited. */
  quickRecipeId: string | null;
  plan: CompressionPlan | null;
  planError: PlanError | null;
  planStatus: 'idle' | 'planning';
  /** The recipe an opened file carries (an export of the studio), offered to the editor. */
  offeredRecipe: { recipe: Recipe; version: string } | null;
  setOutputFormat(format: OutputFormat): void;
  applyQuickRecipe(id: string): void;
  addRule(): void;
  updateRule(index: number, rule: RecipeRule): void;
  moveRule(index: number, delta: -1 | 1): void;
  removeRule(index: number): void;
  setPreset(preset: GgufPresetName | undefined): void;
  setPure(pure: boolean): void;
  /** The preset's types importance-weighted (recipe `imatrix`). */
  setPresetImatrix(on: boolean): void;
  setDtype(dtype: RecipeDtype | undefined): void;
  /** The recipe's calibration settings (undefined: the defaults, when a method needs them). */
  setCalibration(calibration: CalibrationSpec | undefined): void;
  /** Calibration texts the worker holds (file names a recipe may name). */
  calibrationTexts: { name: string; characters: number }[];
  /** Adds the person's own calibration text and points the recipe at it. */
  addCalibrationText(file: File): Promise<void>;
  /** Importance-matrix files the worker holds (calibration.imatrix names them). */
  imatrixFiles: ImatrixInfo[];
  /** Loads a llama.cpp importance matrix and points the recipe's calibration at it. */
  addImatrixFile(file: File): Promise<void>;
  /** Loads recipe JSON (a file's or a drop's); a bad one is reported and the editor keeps its recipe. */
  loadRecipe(value: unknown, source: string): Promise<void>;
  /** Reads a recipe file the person picked. */
  loadRecipeFile(file: File): Promise<void>;
  /** Saves the editor's recipe as JSON (call straight from a click). */
  saveRecipe(): Promise<void>;
  acceptOfferedRecipe(): void;
  dismissOfferedRecipe(): void;
  refreshPlan(): Promise<void>;
}

const NEW_RULE: RecipeRule = { match: 'down_proj', quantize: { method: 'rtn', bits: 8, group: 'per-channel', symmetric: true } };
const PLAN_DELAY_MS = 150;

function planErrorOf(error: unknown): PlanError {
  const e = error as { message?: unknown; details?: Record<string, unknown> } | null;
  const d = e?.details ?? {};
  return {
    message: typeof e?.message === 'string' ? e.message : String(error),
    rule: typeof d.rule === 'number' ? d.rule : undefined,
    field: typeof d.field === 'string' ? d.field : undefined,
    tensor: typeof d.tensor === 'string' ? d.tensor : undefined,
  };
}

export const createRecipeSlice: StateCreator<StudioState, [], [], RecipeSlice> = (set, get, api) => {
  let planSerial = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  // The shown plan is stale from the moment the recipe changes (planStatus says so), not only once the
  // request goes out; a request already in flight is for the old recipe, so its answer is dropped
  // (else it would land during the debounce and read as fresh).
  const schedulePlan = () => {
    if (timer) clearTimeout(timer);
    planSerial++;
    if (get().planStatus !== 'planning') set({ planStatus: 'planning' });
    timer = setTimeout(() => void get().refreshPlan(), PLAN_DELAY_MS);
  };
  // An edited recipe is no longer the named quick recipe it started from.
  const edit = ({ name: _name, ...recipe }: Recipe) => set({ recipe, quickRecipeId: null });

  api.subscribe((s, prev) => {
    if (s.modelSerial !== prev.modelSerial && s.model) {
      const format: OutputFormat = s.model.index.format === 'onnx' ? 'onnx' : 'gguf';
      const quick = defaultQuickRecipe(format);
      set({ outputFormat: format, recipe: quick.recipe, quickRecipeId: quick.id, plan: null, planError: null, offeredRecipe: s.model.embeddedRecipe ?? null });
      schedulePlan();
      return;
    }
    if (s.model && (s.recipe !== prev.recipe || s.outputFormat !== prev.outputFormat)) schedulePlan();
  });

  const initial = defaultQuickRecipe('onnx');
  return {
    outputFormat: 'onnx',
    recipe: initial.recipe,
    quickRecipeId: initial.id,
    plan: null,
    planError: null,
    planStatus: 'idle',
    offeredRecipe: null,
    calibrationTexts: [],
    imatrixFiles: [],

    setOutputFormat(format) {
      if (format === get().outputFormat) return;
      const quick = defaultQuickRecipe(format);
      set({ outputFormat: format, recipe: quick.recipe, quickRecipeId: quick.id });
    },
    applyQuickRecipe(id) {
      const quick = QUICK_RECIPES.find((q) => q.id === id);
      if (quick) set({ outputFormat: quick.format, recipe: quick.recipe, quickRecipeId: quick.id });
    },
    addRule() {
      const r = get().recipe;
      // A new rule goes before the last one (usually the catch-all), so it takes effect.
      const at = Math.max(0, r.rules.length - 1);
      edit({ ...r, rules: [...r.rules.slice(0, at), NEW_RULE, ...r.rules.slice(at)] });
    },
    updateRule(index, rule) {
      const r = get().recipe;
      edit({ ...r, rules: r.rules.map((x, i) => (i === index ? rule : x)) });
    },
    moveRule(index, delta) {
      const r = get().recipe;
      const to = index + delta;
      if (to < 0 || to >= r.rules.length) return;
      const rules = [...r.rules];
      [rules[index], rules[to]] = [rules[to], rules[index]];
      edit({ ...r, rules });
    },
    removeRule(index) {
      const r = get().recipe;
      edit({ ...r, rules: r.rules.filter((_, i) => i !== index) });
    },
    setPreset(preset) {
      // Importance weighting stays across presets; it means nothing without one.
      const { preset: _p, pure: _u, imatrix, ...rest } = get().recipe;
      edit(preset ? { ...rest, preset, ...(imatrix ? { imatrix } : {}) } : rest);
    },
    setPure(pure) {
      const { pure: _u, ...rest } = get().recipe;
      edit(pure && rest.preset ? { ...rest, pure: true } : rest);
    },
    setPresetImatrix(on) {
      const { imatrix: _i, ...rest } = get().recipe;
      edit(on && rest.preset ? { ...rest, imatrix: true } : rest);
    },
    setDtype(dtype) {
      const { dtype: _d, ...rest } = get().recipe;
      edit(dtype ? { ...rest, dtype } : rest);
    },
    setCalibration(calibration) {
      const { calibration: _c, ...rest } = get().recipe;
      edit(calibration ? { ...rest, calibration } : rest);
    },
    async addCalibrationText(file) {
      try {
        const added = await studioClient().addCalibrationText(file);
        set({ calibrationTexts: [...get().calibrationTexts.filter((t) => t.name !== added.name), added] });
        get().setCalibration({ ...(get().recipe.calibration ?? DEFAULT_CALIBRATION), text: added.name });
      } catch (error) {
        get().showError('recipe', error, file.name);
      }
    },

    async addImatrixFile(file) {
      try {
        const added = await studioClient().addImatrix(file);
        set({ imatrixFiles: [...get().imatrixFiles.filter((t) => t.name !== added.name), added] });
        get().setCalibration({ ...(get().recipe.calibration ?? DEFAULT_CALIBRATION), imatrix: added.name });
      } catch (error) {
        get().showError('recipe', error, file.name);
      }
    },

    async loadRecipe(value, source) {
      try {
        const recipe = await studioClient().checkRecipe(value);
        const format: OutputFormat = recipe.preset || recipe.rules.some((r) => r.quantize !== undefined && !isIntGridSpec(r.quantize)) ? 'gguf' : get().outputFormat;
        set({ recipe, quickRecipeId: null, outputFormat: format, planError: null, notice: null });
      } catch (error) {
        get().showError('recipe', error, source);
      }
    },
    async loadRecipeFile(file) {
      let value: unknown;
      try {
        value = JSON.parse(await file.text());
      } catch (e) {
        get().showError('recipe', new RecipeError(`${file.name} is not valid JSON: ${(e as Error).message}`), file.name);
        return;
      }
      await get().loadRecipe(value, file.name);
    },
    async saveRecipe() {
      const { recipe, outputFormat, model } = get();
      const text = `${JSON.stringify(canonicalRecipe(recipe), null, 2)}\n`;
      const fileName = outputFileName(model?.index.fileName ?? 'model', outputFormat, recipe).replace(/\.[a-z]+$/, '.recipe.json');
      try {
        const picker = savePicker();
        const handle = picker ? await pickSaveTarget(picker, fileName, 'json') : undefined;
        if (handle === null) return;
        if (handle) {
          const w = await handle.createWritable();
          await w.write(text);
          await w.close();
        } else {
          downloadBlob(new Blob([text], { type: 'application/json' }), fileName);
        }
      } catch (error) {
        get().showError('recipe', error);
      }
    },
    acceptOfferedRecipe() {
      const offered = get().offeredRecipe;
      if (!offered) return;
      set({ recipe: offered.recipe, quickRecipeId: null, offeredRecipe: null });
    },
    dismissOfferedRecipe: () => set({ offeredRecipe: null }),

    async refreshPlan() {
      const { model, recipe, outputFormat } = get();
      if (!model) return;
      const serial = ++planSerial;
      set({ planStatus: 'planning' });
      try {
        const plan = await studioClient().plan({ recipe: canonicalRecipe(recipe), format: outputFormat });
        if (serial === planSerial) set({ plan, planError: null });
      } catch (error) {
        if (serial === planSerial) set({ plan: null, planError: planErrorOf(error) });
      } finally {
        if (serial === planSerial) set({ planStatus: 'idle' });
      }
    },
  };
};
