// The sweep's axes: bits (or none: float), block sizes, zero point, quantization methods (RTN, GPTQ,
// HQQ on the same grid) and which tensors (with custom patterns), pruning methods × sparsities (crossed
// with every RTN setting), the calibration windows when a method calibrates, llama.cpp types
// (ONNX models only: evaluated through the dequantized GGUF weights), and size-budget points.
import { useMemo, useState } from 'react';
import { SWEEP_BASES } from '../../store/quick-recipes';
import { countSelection } from '../../store/selection-count';
import { SWEEP_BITS, SWEEP_BLOCKS } from '../../store/sweep-slice';
import { parseBudgets, sparsityText, sweepCalibrates, SWEEP_GGUF_TYPES, SWEEP_SELECTION_LABEL, SWEEP_SPARSITIES, type SweepSelectionKind } from '../../store/sweep-axes';
import { SWEEP_QUANTIZE_METHODS, type SweepQuantizeMethod } from '../../core/sweep';
import { PRUNE_METHODS, type PruneMethodId } from '../../core/recipe';
import { useStudioStore } from '../../store/studio-store';
import { HelpLink } from '../help';
import { CheckGroup } from './check-group';
import { METHOD_LABEL } from './point-style';

const KINDS: SweepSelectionKind[] = ['all-matmuls', 'all-but-embeddings-and-head', 'custom'];
const DEFAULT_QUANTIZE_METHODS: readonly SweepQuantizeMethod[] = ['rtn'];

export function SweepAxesFields({ disabled }: { disabled: boolean }) {
  const bits = useStudioStore((s) => s.sweepBits);
  const blocks = useStudioStore((s) => s.sweepBlocks);
  const symmetric = useStudioStore((s) => s.sweepSymmetric);
  const selections = useStudioStore((s) => s.sweepSelections);
  const include = useStudioStore((s) => s.sweepInclude);
  const exclude = useStudioStore((s) => s.sweepExclude);
  const tensors = useStudioStore((s) => s.model?.index.tensors);
  const toggleBits = useStudioStore((s) => s.toggleSweepBits);
  const toggleBlock = useStudioStore((s) => s.toggleSweepBlock);
  const toggleSym = useStudioStore((s) => s.toggleSweepSymmetric);
  const quantizeMethods = useStudioStore((s) => s.sweepQuantizeMethods ?? DEFAULT_QUANTIZE_METHODS);
  const toggleQuantizeMethod = useStudioStore((s) => s.toggleSweepQuantizeMethod);
  const toggleSelection = useStudioStore((s) => s.toggleSweepSelection);
  const setInclude = useStudioStore((s) => s.setSweepInclude);
  const setExclude = useStudioStore((s) => s.setSweepExclude);
  const custom = selections.includes('custom');
  const match = useMemo(
    () => (custom && tensors ? countSelection(tensors, { kind: 'custom', include: include.trim() || undefined, exclude: exclude.trim() || undefined }) : null),
    [custom, tensors, include, exclude],
  );

  return (
    <>
      <CheckGroup legend="Bits" help="bits" options={SWEEP_BITS.map((b) => ({ value: b, label: `${b}`, testId: `sweep-bits-${b}` }))} checked={bits} onToggle={toggleBits} disabled={disabled} />
      <Unquantized disabled={disabled} />
      <CheckGroup
        legend="Block size"
        help="block"
        options={SWEEP_BLOCKS.map((b) => ({ value: b, label: b === 'per-channel' ? 'per ch.' : `${b}`, testId: `sweep-block-${b}` }))}
        checked={blocks}
        onToggle={toggleBlock}
        disabled={disabled}
      />
      <CheckGroup
        legend="Zero point"
        help="zero-point"
        options={[
          { value: false, label: 'Asym', testId: 'sweep-asym' },
          { value: true, label: 'Sym', testId: 'sweep-sym' },
        ]}
        checked={symmetric}
        onToggle={toggleSym}
        disabled={disabled}
      />
      <CheckGroup
        legend="Quantization method (GPTQ calibrates first; GPTQ and HQQ are not crossed with pruning; HQQ takes the asymmetric settings)"
        help="methods"
        options={SWEEP_QUANTIZE_METHODS.map((m) => ({ value: m, label: METHOD_LABEL[m], testId: `sweep-method-${m}` }))}
        checked={quantizeMethods}
        onToggle={toggleQuantizeMethod}
        disabled={disabled}
      />
      <PruningAxes disabled={disabled} />
      <LlamaCppTypes disabled={disabled} />
      <SizeBudgets disabled={disabled} />
      <SweepBase disabled={disabled} />
      <fieldset className="field" disabled={disabled}>
        <legend>
          Tensors
          <HelpLink topic="tensors" />
        </legend>
        <div className="radio-list">
          {KINDS.map((k) => (
            <label key={k} className="radio">
              <input type="checkbox" checked={selections.includes(k)} onChange={() => toggleSelection(k)} data-testid={`sweep-selection-${k}`} />
              <span>{SWEEP_SELECTION_LABEL[k]}</span>
            </label>
          ))}
        </div>
        {custom && (
          <div className="regex-fields">
            <input type="text" className="mono" spellCheck={false} placeholder="Include, e.g. mlp|self_attn" value={include} onChange={(e) => setInclude(e.target.value)} aria-label="Include pattern" aria-invalid={match?.ok === false} data-testid="sweep-include" />
            <input type="text" className="mono" spellCheck={false} placeholder="Exclude, e.g. lm_head" value={exclude} onChange={(e) => setExclude(e.target.value)} aria-label="Exclude pattern" aria-invalid={match?.ok === false} data-testid="sweep-exclude" />
            {match && (
              <p className={`match-count${match.ok && match.count > 0 ? '' : ' is-warning'}`} data-testid="sweep-match-count">
                {!match.ok ? match.message : `${match.count} tensor${match.count === 1 ? '' : 's'} match`}
              </p>
            )}
          </div>
        )}
      </fieldset>
    </>
  );
}

const PRUNE_METHOD_LABEL: Record<PruneMethodId, string> = { magnitude: 'Magnitude', wanda: 'Wanda', sparsegpt: 'SparseGPT', channels: 'MLP channels' };

/** Points left in float: with the sparsity axis, pruning alone. */
function Unquantized({ disabled }: { disabled: boolean }) {
  const on = useStudioStore((s) => s.sweepUnquantized ?? false);
  const set = useStudioStore((s) => s.setSweepUnquantized);
  return (
    <label className="radio small" title="Points whose weights stay float: pruning alone (with a sparsity)">
      <input type="checkbox" checked={on} disabled={disabled} onChange={(e) => set(e.target.checked)} data-testid="sweep-unquantized" />
      <span>also not quantized (float, pruned only)</span>
    </label>
  );
}

/** The sparsity axis and the pruning methods it is run with (the output head is never pruned). */
function PruningAxes({ disabled }: { disabled: boolean }) {
  const sparsities = useStudioStore((s) => s.sweepSparsities ?? [0]);
  const methods = useStudioStore((s) => s.sweepPruneMethods ?? []);
  const windows = useStudioStore((s) => s.sweepCalibrationWindows ?? 128);
  const toggleSparsity = useStudioStore((s) => s.toggleSweepSparsity);
  const toggleMethod = useStudioStore((s) => s.toggleSweepPruneMethod);
  const setWindows = useStudioStore((s) => s.setSweepCalibrationWindows);
  const prunes = sparsities.some((x) => x !== 0);
  const calibrates = useStudioStore((s) => sweepCalibrates(s));
  return (
    <>
      <CheckGroup legend="Sparsity (pruned first; the output head stays dense)" help="pruning" options={SWEEP_SPARSITIES.map((v) => ({ value: v, label: sparsityText(v), testId: `sweep-sparsity-${v}` }))} checked={sparsities} onToggle={toggleSparsity} disabled={disabled} />
      {prunes && (
        <CheckGroup legend="Pruning method" options={PRUNE_METHODS.map((m) => ({ value: m, label: PRUNE_METHOD_LABEL[m], testId: `sweep-prune-${m}` }))} checked={methods} onToggle={toggleMethod} disabled={disabled} />
      )}
      {calibrates && (
        <label className="field field-narrow">
          <span className="label">
            Calibration windows (bundled wikitext-2 validation text, 256 tokens each)
            <HelpLink topic="calibration" />
          </span>
          <input type="number" min={1} step={1} value={windows} disabled={disabled} onChange={(e) => setWindows(e.target.valueAsNumber)} data-testid="sweep-calibration-windows" />
        </label>
      )}
    </>
  );
}

/** Rules every point starts with (the axes then decide the rest: a base recipe plus axes). */
function SweepBase({ disabled }: { disabled: boolean }) {
  const base = useStudioStore((s) => s.sweepBase ?? 'none');
  const setBase = useStudioStore((s) => s.setSweepBase);
  return (
    <label className="field">
      <span className="label">
        Every point starts with
        <HelpLink topic="base" />
      </span>
      <select value={base} onChange={(e) => setBase(e.target.value)} disabled={disabled} data-testid="sweep-base">
        {SWEEP_BASES.map((b) => (
          <option key={b.id} value={b.id}>{b.label}</option>
        ))}
      </select>
    </label>
  );
}

/** Size-budget points (mixed rtn settings written per point for the least predicted loss) at the bits per weight typed. */
function SizeBudgets({ disabled }: { disabled: boolean }) {
  const budgets = useStudioStore((s) => s.sweepBudgets ?? []);
  const setBudgets = useStudioStore((s) => s.setSweepBudgets);
  const [text, setText] = useState(budgets.join(', '));
  const valid = parseBudgets(text) !== undefined;
  return (
    <label className="field">
      <span className="label">
        Size budgets · bits per weight, comma-separated (each point mixes rtn settings for the least predicted loss)
        <HelpLink topic="size-budget" />
      </span>
      <input
        type="text"
        className="mono"
        value={text}
        placeholder="e.g. 4.5, 5.125"
        disabled={disabled}
        aria-invalid={!valid}
        onChange={(e) => {
          setText(e.target.value);
          const parsed = parseBudgets(e.target.value);
          if (parsed) setBudgets(parsed);
        }}
        data-testid="sweep-budgets"
      />
      {!valid && <span className="small sweep-error" role="alert">Bits per weight between 0 and 32, separated by commas</span>}
    </label>
  );
}

/** llama.cpp presets, one point each; shown for ONNX models, which need config.json + tokenizer.json for it. */
function LlamaCppTypes({ disabled }: { disabled: boolean }) {
  const model = useStudioStore((s) => s.model);
  const types = useStudioStore((s) => s.sweepGgufTypes ?? []);
  const toggle = useStudioStore((s) => s.toggleSweepGgufType);
  const imatrix = useStudioStore((s) => s.sweepGgufImatrix ?? [false]);
  const toggleImatrix = useStudioStore((s) => s.toggleSweepGgufImatrix);
  if (model?.index.format !== 'onnx') return null;
  const ready = model.hasTokenizer && model.hasConfig !== false;
  return (
    <>
      <CheckGroup legend="llama.cpp types" help="llama-cpp" options={SWEEP_GGUF_TYPES.map((t) => ({ value: t, label: t, testId: `sweep-gguf-${t}` }))} checked={types} onToggle={toggle} disabled={disabled || !ready} />
      {types.length > 0 && (
        <CheckGroup
          legend="llama.cpp importance matrix (measured once on the calibration text, as llama-imatrix)"
          help="imatrix"
          options={[
            { value: false, label: 'without', testId: 'sweep-gguf-imatrix-no' },
            { value: true, label: 'with', testId: 'sweep-gguf-imatrix-yes' },
          ]}
          checked={imatrix}
          onToggle={toggleImatrix}
          disabled={disabled}
        />
      )}
      {!ready && <p className="small muted" data-testid="sweep-gguf-needs">llama.cpp types need the model's config.json and tokenizer.json: open them with the model.</p>}
    </>
  );
}

/** Whether the custom patterns (if used) are valid and match something. */
export function useCustomSelectionValid(): boolean {
  const custom = useStudioStore((s) => s.sweepSelections.includes('custom'));
  const include = useStudioStore((s) => s.sweepInclude);
  const exclude = useStudioStore((s) => s.sweepExclude);
  const tensors = useStudioStore((s) => s.model?.index.tensors);
  return useMemo(() => {
    if (!custom || !tensors) return true;
    const m = countSelection(tensors, { kind: 'custom', include: include.trim() || undefined, exclude: exclude.trim() || undefined });
    return m.ok && m.count > 0;
  }, [custom, tensors, include, exclude]);
}
