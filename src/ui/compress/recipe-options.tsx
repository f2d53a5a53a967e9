// The recipe's top-level settings for GGUF and safetensors output: a llama.cpp preset (its
// per-tensor choices come after the rules), --pure, --imatrix, and the float type of kept weights.
import type { OutputFormat } from '../../core/compression-plan';
import { GGUF_MIX_PRESETS, GGUF_PURE_PRESETS, RECIPE_DTYPES, type GgufPresetName, type Recipe, type RecipeDtype } from '../../core/recipe';
import { useStudioStore } from '../../store/studio-store';

export function RecipeOptions({ recipe, format, disabled }: { recipe: Recipe; format: OutputFormat; disabled: boolean }) {
  const setPreset = useStudioStore((s) => s.setPreset);
  const setPure = useStudioStore((s) => s.setPure);
  const setPresetImatrix = useStudioStore((s) => s.setPresetImatrix);
  const setDtype = useStudioStore((s) => s.setDtype);
  if (format === 'onnx') return null;
  const pureOnly = (GGUF_PURE_PRESETS as readonly string[]).includes(recipe.preset ?? '');
  return (
    <div className="field-row recipe-options">
      {format === 'gguf' && (
        <label className="field">
          <span className="label">llama.cpp preset (after the rules)</span>
          <select value={recipe.preset ?? ''} disabled={disabled} onChange={(e) => setPreset((e.target.value || undefined) as GgufPresetName | undefined)} data-testid="recipe-preset">
            <option value="">none</option>
            <optgroup label="Mixes (llama-quantize)">
              {GGUF_MIX_PRESETS.map((p) => <option key={p} value={p}>{p}</option>)}
            </optgroup>
            <optgroup label="Pure types (every tensor one type)">
              {GGUF_PURE_PRESETS.map((p) => <option key={p} value={p}>{p}</option>)}
            </optgroup>
          </select>
        </label>
      )}
      {format === 'gguf' && recipe.preset && (
        <label className="radio" title="llama-quantize --pure: every quantizable tensor gets the preset's one type">
          <input type="checkbox" checked={pureOnly || recipe.pure === true} disabled={disabled || pureOnly} onChange={(e) => setPure(e.target.checked)} data-testid="recipe-pure" />
          <span>pure</span>
        </label>
      )}
      {format === 'gguf' && recipe.preset && (
        <label className="radio" title="llama-quantize --imatrix: the preset's types weigh each input column by its importance, measured on calibration text or read from an importance-matrix file (below)">
          <input type="checkbox" checked={recipe.imatrix === true} disabled={disabled} onChange={(e) => setPresetImatrix(e.target.checked)} data-testid="recipe-imatrix" />
          <span>importance matrix</span>
        </label>
      )}
      <label className="field">
        <span className="label">Kept weights as</span>
        <select value={recipe.dtype ?? ''} disabled={disabled} onChange={(e) => setDtype((e.target.value || undefined) as RecipeDtype | undefined)} data-testid="recipe-dtype">
          <option value="">stored type</option>
          {RECIPE_DTYPES.map((d) => <option key={d} value={d}>{d}</option>)}
        </select>
      </label>
    </div>
  );
}
