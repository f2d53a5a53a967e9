// A target size beside the rules: bits per weight or the file's megabytes. "Write rules" runs the
// size budget in the worker (a job: the progress panel shows it and can cancel it) and puts its
// recipe in the editor, where it can be read, edited and run like any other. The last budget is
// shown against the uniform settings it chose among: predicted loss by bits per weight (the
// uniform settings as dots, the budget as a star), and in words.
import { useState } from 'react';
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { largestUniformWithin, type BudgetSummary, type BudgetTarget } from '../../core/size-budget';
import { useStudioStore } from '../../store/studio-store';

type Unit = 'bpw' | 'MB';

function targetOf(value: string, unit: Unit): BudgetTarget | undefined {
  const v = Number(value);
  if (!(v > 0)) return undefined;
  return unit === 'bpw' ? { bitsPerWeight: v } : { bytes: Math.floor(v * 1e6) };
}

function BudgetChart({ budget }: { budget: BudgetSummary }) {
  const uniform = budget.uniform.map((u) => ({ bpw: u.bitsPerWeight, loss: u.loss, label: `uniform ${u.label}` }));
  const chosen = [{ bpw: budget.bitsPerWeight, loss: budget.loss, label: 'this budget' }];
  const unit = budget.sensitivity === 'kl-probe' ? 'predicted KL' : 'predicted output error';
  return (
    <figure className="chart chart-flat" data-testid="budget-chart">
      <figcaption>{unit} by bits per weight: uniform settings (dots) and the budget (star); log scale</figcaption>
      <ResponsiveContainer width="100%" height={180}>
        <ScatterChart margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke="var(--grid)" />
          <XAxis type="number" dataKey="bpw" name="bits/weight" domain={['auto', 'auto']} tick={{ fontSize: 11 }} />
          <YAxis type="number" dataKey="loss" name={unit} scale="log" domain={['auto', 'auto']} tick={{ fontSize: 11 }} tickFormatter={(v: number) => v.toExponential(0)} width={56} />
          <Tooltip formatter={(v, name) => (name === 'bits/weight' ? Number(v).toFixed(3) : Number(v).toExponential(3))} labelFormatter={() => ''} />
          <Scatter name="uniform" data={uniform} fill="var(--muted)" isAnimationActive={false} />
          <Scatter name="budget" data={chosen} fill="var(--accent)" shape="star" isAnimationActive={false} />
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  );
}

function BudgetSummaryLine({ budget }: { budget: BudgetSummary }) {
  const near = largestUniformWithin(budget.uniform, budget.budgetBytes);
  const unit = budget.sensitivity === 'kl-probe' ? 'KL' : 'output error';
  return (
    <p className="small" data-testid="budget-summary" data-bpw={budget.bitsPerWeight} data-loss={budget.loss}>
      {budget.recipe.rules.length} rules, {budget.bitsPerWeight.toFixed(3)} bits/weight, predicted {unit} {budget.loss.toExponential(2)}
      {near ? ` — the largest uniform setting that fits, ${near.label} at ${near.bitsPerWeight.toFixed(3)} bits/weight, ${near.loss.toExponential(2)}` : ''}
      {` (calibrated on ${budget.calibrationTokens.toLocaleString('en-US')} tokens${budget.sensitivity === 'kl-probe' ? ', one KL probe per weight' : ''})`}
    </p>
  );
}

export function SizeBudgetFields({ disabled }: { disabled: boolean }) {
  const fit = useStudioStore((s) => s.fitBudget);
  const budget = useStudioStore((s) => s.budget);
  const recipe = useStudioStore((s) => s.recipe);
  const [value, setValue] = useState('4.5');
  const [unit, setUnit] = useState<Unit>('bpw');
  const target = targetOf(value, unit);
  const current = budget && budget.recipe.name === recipe.name ? budget : null;
  return (
    <fieldset className="field budget-fields" disabled={disabled} data-testid="budget-fields">
      <legend>Fit to a size · the setting of each weight chosen for the least predicted loss (calibrates first)</legend>
      <div className="budget-row">
        <input type="number" min="0" step="0.1" value={value} aria-label="Target size" onChange={(e) => setValue(e.target.value)} data-testid="budget-target" />
        <select value={unit} aria-label="Target unit" onChange={(e) => setUnit(e.target.value as Unit)} data-testid="budget-unit">
          <option value="bpw">bits per weight</option>
          <option value="MB">MB (the whole file)</option>
        </select>
        <button type="button" className="button button-small" disabled={!target} onClick={() => target && void fit(target)} data-testid="budget-run">Write rules</button>
      </div>
      {current && (
        <>
          <BudgetSummaryLine budget={current} />
          <BudgetChart budget={current} />
        </>
      )}
    </fieldset>
  );
}
