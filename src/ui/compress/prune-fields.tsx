// The pruning part of a rule in the recipe editor: the method (none, magnitude, Wanda, SparseGPT,
// MLP channels) and its target — a sparsity or an N:M pattern — plus magnitude's scope. Pruning runs before the
// rule's quantization; SparseGPT's damping and block size keep their defaults unless a recipe
// file sets them.
import { PRUNE_METHODS, PRUNE_PATTERNS, type PruneMethodId, type PrunePatternName, type PruneSpec, type RecipeRule } from '../../core/recipe';

const METHOD_LABEL: Record<PruneMethodId, string> = { magnitude: 'prune: magnitude', wanda: 'prune: Wanda', sparsegpt: 'prune: SparseGPT', channels: 'prune: MLP channels' };
const METHOD_TITLE: Record<PruneMethodId, string> = {
  magnitude: 'Zero the smallest weights (no calibration)',
  wanda: 'Zero the smallest |weight| × input norm per output row (calibrates on text first)',
  sparsegpt: 'Hessian-based pruning that updates the remaining weights (calibrates on text first)',
  channels: 'Remove whole MLP channels (rows of gate/up, columns of down): a really smaller, faster model; match mlp.gate_proj, up_proj and down_proj together (calibrates first)',
};

/** A method's spec, keeping the target of the one it replaces. */
function specFor(method: PruneMethodId, previous: PruneSpec | undefined): PruneSpec {
  if (method === 'channels') return { method, sparsity: previous?.sparsity ?? 0.25 };
  const target = previous?.pattern ? { pattern: previous.pattern } : { sparsity: previous?.sparsity ?? 0.5 };
  if (method === 'magnitude') return { method, ...target, scope: previous?.method === 'magnitude' ? previous.scope : 'tensor' };
  if (method === 'sparsegpt') return previous?.method === 'sparsegpt' ? { ...previous, ...target } : { method, ...target, damping: 0.01, blocksize: 128 };
  return { method, ...target };
}

function withTarget(p: PruneSpec, target: { sparsity: number } | { pattern: PrunePatternName }): PruneSpec {
  const { sparsity: _s, pattern: _p, ...rest } = p;
  return { ...rest, ...target } as PruneSpec;
}

export function PruneFields({ index, rule, disabled, onChange }: { index: number; rule: RecipeRule; disabled: boolean; onChange(rule: RecipeRule): void }) {
  const p = rule.prune;
  const t = `rule-${index}`;
  const setMethod = (value: string) => {
    const { prune: _p, keep: _k, ...rest } = rule;
    if (!value) return onChange(rest.quantize ? rest : { ...rest, keep: true });
    onChange({ ...rest, prune: specFor(value as PruneMethodId, p) });
  };
  const setPrune = (next: PruneSpec) => onChange({ ...rule, prune: next });
  return (
    <>
      <select aria-label={`Rule ${index} pruning`} value={p?.method ?? ''} disabled={disabled} onChange={(e) => setMethod(e.target.value)} title={p ? METHOD_TITLE[p.method] : 'Set weights to exactly zero before quantizing'} data-testid={`${t}-prune`}>
        <option value="">no pruning</option>
        {PRUNE_METHODS.map((m) => <option key={m} value={m} title={METHOD_TITLE[m]}>{METHOD_LABEL[m]}</option>)}
      </select>
      {p && p.method !== 'channels' && (
        <select aria-label={`Rule ${index} pruning target`} value={p.pattern ?? 'sparsity'} disabled={disabled} onChange={(e) => setPrune(withTarget(p, e.target.value === 'sparsity' ? { sparsity: p.sparsity ?? 0.5 } : { pattern: e.target.value as PrunePatternName }))} data-testid={`${t}-prune-target`}>
          <option value="sparsity">sparsity</option>
          {PRUNE_PATTERNS.map((n) => <option key={n} value={n} title={`At most ${n.split(':')[0]} nonzeros in every ${n.split(':')[1]} consecutive inputs`}>{n}</option>)}
        </select>
      )}
      {p && !p.pattern && (
        <label className="inline-number" title="Fraction of the tensor's weights set to zero, in [0, 1)">
          <input
            type="number"
            min={0}
            max={0.99}
            step={0.05}
            value={p.sparsity ?? 0}
            disabled={disabled}
            aria-label={`Rule ${index} sparsity`}
            onChange={(e) => setPrune(withTarget(p, { sparsity: e.target.valueAsNumber }))}
            data-testid={`${t}-sparsity`}
          />
          <span className="small">zeros</span>
        </label>
      )}
      {p?.method === 'magnitude' && !p.pattern && (
        <select aria-label={`Rule ${index} pruning scope`} value={p.scope} disabled={disabled} onChange={(e) => setPrune({ ...p, scope: e.target.value as 'tensor' | 'row' })} data-testid={`${t}-prune-scope`}>
          <option value="tensor">per tensor</option>
          <option value="row">per output row</option>
        </select>
      )}
    </>
  );
}
