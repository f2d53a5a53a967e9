// The recipe editor of the compress form: a quick recipe to start from, the rules in order (each
// with what it takes in the current plan), adding rules, the format's top-level options, and
// recipe files (save as JSON, load a file; a dropped recipe file lands here too), a target size
// that writes the rules (size-budget-fields.tsx), and the calibration text when a rule's method needs one.
import { HelpLink } from '../help';
import { ruleTotals } from '../../core/compression-plan';
import { QUICK_RECIPES } from '../../store/quick-recipes';
import { useStudioStore } from '../../store/studio-store';
import { CalibrationFields } from './calibration-fields';
import { RecipeOptions } from './recipe-options';
import { RuleRow } from './rule-row';
import { SizeBudgetFields } from './size-budget-fields';

const ACTIONS = { onnx: ['rtn', 'gptq', 'awq', 'hqq'], gguf: ['ggml', 'gptq', 'awq'], safetensors: ['rtn', 'gptq', 'awq', 'hqq', 'ggml'] } as const;

export function RecipeEditor({ disabled }: { disabled: boolean }) {
  const format = useStudioStore((s) => s.outputFormat);
  const recipe = useStudioStore((s) => s.recipe);
  const quickId = useStudioStore((s) => s.quickRecipeId);
  const plan = useStudioStore((s) => s.plan);
  const planError = useStudioStore((s) => s.planError);
  const applyQuick = useStudioStore((s) => s.applyQuickRecipe);
  const addRule = useStudioStore((s) => s.addRule);
  const updateRule = useStudioStore((s) => s.updateRule);
  const moveRule = useStudioStore((s) => s.moveRule);
  const removeRule = useStudioStore((s) => s.removeRule);
  const saveRecipe = useStudioStore((s) => s.saveRecipe);
  const loadRecipeFile = useStudioStore((s) => s.loadRecipeFile);
  const totals = plan ? ruleTotals(plan) : null;
  const quick = QUICK_RECIPES.filter((q) => q.format === format);

  return (
    <div className="recipe-editor" data-testid="recipe-editor">
      <label className="field">
        <span className="label">Start from</span>
        <select value={quickId ?? ''} disabled={disabled} onChange={(e) => e.target.value && applyQuick(e.target.value)} data-testid="quick-recipe">
          {quickId === null && <option value="">your recipe (edited)</option>}
          {quick.map((q) => <option key={q.id} value={q.id}>{q.label}</option>)}
        </select>
      </label>
      <SizeBudgetFields disabled={disabled} />
      <fieldset className="field" disabled={disabled}>
        <legend>Rules · the first that matches a tensor decides; unmatched tensors are kept</legend>
        <p className="small muted help-row" data-testid="rule-help">
          About: bits <HelpLink topic="bits" /> · block <HelpLink topic="block" /> · zero point <HelpLink topic="zero-point" /> · methods <HelpLink topic="methods" /> · llama.cpp types <HelpLink topic="llama-cpp" /> · pruning <HelpLink topic="pruning" />
        </p>
        {recipe.rules.length === 0 ? (
          <p className="small muted" data-testid="rules-empty">{recipe.preset ? `No rules of your own: the ${recipe.preset} preset decides every tensor.` : 'No rules: every tensor is kept as it is.'}</p>
        ) : (
          <ol className="rules" data-testid="rules">
            {recipe.rules.map((rule, i) => (
              <RuleRow
                key={i}
                index={i}
                count={recipe.rules.length}
                rule={rule}
                stats={totals?.[i]}
                error={planError && planError.rule === i ? planError.message : undefined}
                disabled={disabled}
                actions={ACTIONS[format]}
                onChange={(r) => updateRule(i, r)}
                onMove={(d) => moveRule(i, d)}
                onRemove={() => removeRule(i)}
              />
            ))}
          </ol>
        )}
        {plan && recipe.preset && plan.rules.length > recipe.rules.length && (
          <p className="small muted" data-testid="preset-rules">then the {recipe.preset} preset: {plan.rules.length - recipe.rules.length} rules for this model (see the plan)</p>
        )}
        <div className="recipe-buttons">
          <button type="button" className="button button-small" onClick={addRule} data-testid="add-rule">Add rule</button>
          <button type="button" className="button button-small" onClick={() => void saveRecipe()} data-testid="recipe-save">Save recipe…</button>
          <label className="button button-small">
            Load recipe…
            <input type="file" accept=".json,application/json" className="sr-only" data-testid="recipe-file" onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void loadRecipeFile(file);
            }} />
          </label>
        </div>
      </fieldset>
      <RecipeOptions recipe={recipe} format={format} disabled={disabled} />
      <CalibrationFields recipe={recipe} disabled={disabled} />
    </div>
  );
}
