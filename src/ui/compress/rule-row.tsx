// One rule of the recipe editor: its pattern, an optional role limit, what it does (pruning
// first, then keep / rtn or GPTQ with bits, group and zero point / HQQ with bits, group and how its
// zero points are stored / a llama.cpp type), its place in the
// order, and what it takes in the current plan (tensors and bytes) or why it cannot run. A
// llama.cpp type may be importance-weighted (imatrix).
import { AWQ_DEFAULT_GROUP, AWQ_DEFAULTS, AWQ_GGML_TYPES, GGML_QUANT_TYPES, GPTQ_GGML_TYPES, isIntGridSpec, HQQ_DEFAULT_GROUP, HQQ_DEFAULTS, HQQ_ZERO_POINTS, hqqDefaultZeroPoint, type HqqZeroPoint, RTN_BITS, RTN_GROUP_SIZES, RULE_ROLES, type GgmlQuantType, type QuantizeSpec, type RecipeRule, type RtnBits, type RtnGroupSize, type RuleRole } from '../../core/recipe';
import { formatBytes } from '../format';
import { PruneFields } from './prune-fields';

type Action = 'keep' | 'rtn' | 'gptq' | 'awq' | 'hqq' | 'ggml';

const ROLE_LABEL: Record<RuleRole, string> = { 'matmul-weight': 'matmul weights', embedding: 'embeddings' };

export interface RuleStats {
  tensors: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** The spec a rule gets when its action changes (`blockTypes`: the format holds llama.cpp types only). */
function specFor(action: Action, previous: QuantizeSpec | undefined, blockTypes: boolean): QuantizeSpec | undefined {
  if (action === 'keep') return undefined;
  // Switching between the integer-grid methods keeps the grid.
  const onGrid = isIntGridSpec(previous);
  const grid = onGrid ? { bits: previous.bits, group: previous.group, symmetric: previous.symmetric } : { bits: 4 as RtnBits, group: 32 as RtnGroupSize, symmetric: false };
  if (action === 'rtn') return { method: 'rtn', ...grid };
  if (action === 'gptq') {
    if (previous?.method === 'gptq' && (previous.type !== undefined) === blockTypes) return previous;
    const solver = { damping: 0.01, blocksize: 128, actOrder: false };
    if (blockTypes) {
      const from = previous?.method === 'ggml' || previous?.method === 'awq' ? previous.type : undefined;
      return { method: 'gptq', type: from && GPTQ_GGML_TYPES.includes(from) ? from : 'Q4_K', ...solver };
    }
    return { method: 'gptq', ...grid, ...solver };
  }
  if (action === 'awq') {
    if (previous?.method === 'awq' && (previous.type !== undefined) === blockTypes) return previous;
    if (blockTypes) {
      const type = previous?.method === 'ggml' && AWQ_GGML_TYPES.includes(previous.type) ? previous.type : 'Q4_K';
      return { method: 'awq', type, gridPoints: AWQ_DEFAULTS.gridPoints };
    }
    return { method: 'awq', ...grid, group: onGrid ? grid.group : AWQ_DEFAULT_GROUP, ...AWQ_DEFAULTS };
  }
  if (action === 'hqq') {
    if (previous?.method === 'hqq') return previous;
    return { method: 'hqq', bits: grid.bits, group: onGrid ? grid.group : HQQ_DEFAULT_GROUP, symmetric: false, zeroPoint: hqqDefaultZeroPoint(grid.bits), ...HQQ_DEFAULTS };
  }
  if ((previous?.method === 'awq' || previous?.method === 'gptq') && previous.type !== undefined) return { method: 'ggml', type: previous.type };
  return previous?.method === 'ggml' ? previous : { method: 'ggml', type: 'Q8_0' };
}

export function RuleRow(props: {
  index: number;
  count: number;
  rule: RecipeRule;
  stats?: RuleStats;
  error?: string;
  disabled: boolean;
  /** Actions the output format can hold (ONNX: rtn; GGUF: ggml; safetensors: both, dequantized). */
  actions: readonly Action[];
  onChange(rule: RecipeRule): void;
  onMove(delta: -1 | 1): void;
  onRemove(): void;
}) {
  const { index, rule, stats, disabled } = props;
  const action: Action = rule.quantize ? rule.quantize.method : 'keep';
  const q = rule.quantize;
  const setAction = (a: Action) => {
    const quantize = specFor(a, q, !props.actions.includes('rtn'));
    const { keep: _k, quantize: _q, ...rest } = rule;
    props.onChange(quantize ? { ...rest, quantize } : rest.prune ? rest : { ...rest, keep: true });
  };
  const setQuantize = (next: QuantizeSpec) => props.onChange({ ...rule, quantize: next });
  const t = `rule-${index}`;

  return (
    <li className={`rule${props.error ? ' is-invalid' : ''}`} data-testid={t}>
      <div className="rule-head">
        <span className="rule-index" title="Rules are tried in order; the first that matches a tensor decides">{index}</span>
        <input
          type="text"
          className="mono rule-match"
          spellCheck={false}
          value={rule.match}
          placeholder="regular expression, e.g. mlp\.down_proj"
          aria-label={`Rule ${index} pattern`}
          aria-invalid={Boolean(props.error)}
          disabled={disabled}
          onChange={(e) => props.onChange({ ...rule, match: e.target.value })}
          data-testid={`${t}-match`}
        />
        <div className="rule-order">
          <button type="button" className="button button-small" aria-label={`Move rule ${index} up`} disabled={disabled || index === 0} onClick={() => props.onMove(-1)} data-testid={`${t}-up`}>↑</button>
          <button type="button" className="button button-small" aria-label={`Move rule ${index} down`} disabled={disabled || index === props.count - 1} onClick={() => props.onMove(1)} data-testid={`${t}-down`}>↓</button>
          <button type="button" className="button button-small" aria-label={`Delete rule ${index}`} disabled={disabled} onClick={props.onRemove} data-testid={`${t}-delete`}>✕</button>
        </div>
      </div>
      <div className="rule-fields">
        <select aria-label={`Rule ${index} tensors`} value={rule.role ?? ''} disabled={disabled} onChange={(e) => {
          const { role: _r, ...rest } = rule;
          props.onChange(e.target.value ? { ...rest, role: e.target.value as RuleRole } : rest);
        }} data-testid={`${t}-role`}>
          <option value="">any tensor</option>
          {RULE_ROLES.map((r) => <option key={r} value={r}>{ROLE_LABEL[r]} only</option>)}
        </select>
        <PruneFields index={index} rule={rule} disabled={disabled} onChange={props.onChange} />
        <select aria-label={`Rule ${index} action`} value={action} disabled={disabled} onChange={(e) => setAction(e.target.value as Action)} data-testid={`${t}-action`}>
          <option value="keep">{rule.prune ? 'no quantization' : 'keep as is'}</option>
          {props.actions.includes('rtn') && <option value="rtn">round-to-nearest</option>}
          {props.actions.includes('gptq') && <option value="gptq" title="GPTQ: rounding errors compensated through the calibration Hessian (calibrates on text first)">GPTQ</option>}
          {props.actions.includes('awq') && <option value="awq" title="AWQ: per-input-channel scales searched on calibration activations, folded into the norms, v_proj and up_proj (calibrates on text first)">AWQ</option>}
          {props.actions.includes('hqq') && <option value="hqq" title="HQQ: each group's zero point optimised for an lp reconstruction error (no calibration)">HQQ</option>}
          {props.actions.includes('ggml') && <option value="ggml">llama.cpp type</option>}
          {!props.actions.includes(action) && action !== 'keep' && <option value={action}>{action} (not for this format)</option>}
        </select>
        {q?.method === 'awq' && q.type !== undefined && (
          <select aria-label={`Rule ${index} type`} value={q.type} disabled={disabled} onChange={(e) => setQuantize({ ...q, type: e.target.value as GgmlQuantType })} data-testid={`${t}-type`}
            title="AWQ's scales searched for this llama.cpp type, then llama.cpp's own quantizer">
            {AWQ_GGML_TYPES.map((g) => <option key={g} value={g}>{g}</option>)}
          </select>
        )}
        {q?.method === 'gptq' && q.type !== undefined && (
          <select aria-label={`Rule ${index} type`} value={q.type} disabled={disabled} onChange={(e) => setQuantize({ ...q, type: e.target.value as GgmlQuantType })} data-testid={`${t}-type`}
            title="GPTQ's error-compensating solve on this llama.cpp type: each block's scales from llama.cpp's quantizer, codes chosen column by column">
            {GPTQ_GGML_TYPES.map((g) => <option key={g} value={g}>{g}</option>)}
          </select>
        )}
        {(q?.method === 'rtn' || ((q?.method === 'gptq' || q?.method === 'awq') && q.type === undefined)) && (
          <>
            <select aria-label={`Rule ${index} bits`} value={q.bits} disabled={disabled} onChange={(e) => setQuantize({ ...q, bits: Number(e.target.value) as RtnBits })} data-testid={`${t}-bits`}>
              {RTN_BITS.map((b) => <option key={b} value={b}>{b}-bit</option>)}
            </select>
            <select aria-label={`Rule ${index} group`} value={String(q.group)} disabled={disabled} onChange={(e) => setQuantize({ ...q, group: (e.target.value === 'per-channel' ? 'per-channel' : Number(e.target.value)) as RtnGroupSize })} data-testid={`${t}-group`}>
              {RTN_GROUP_SIZES.map((g) => <option key={g} value={g}>group {g}</option>)}
              <option value="per-channel">per channel</option>
            </select>
            <label className="radio small" title="Symmetric: no zero point, the scale fits the largest magnitude">
              <input type="checkbox" checked={q.symmetric} disabled={disabled} onChange={(e) => setQuantize({ ...q, symmetric: e.target.checked })} data-testid={`${t}-sym`} />
              <span>sym</span>
            </label>
            {q.method === 'awq' && (
              <label className="radio small" title="Clip search: shrink each group's range where that lowers the output error on calibration text (AWQ's auto_clip; never on q/k)">
                <input type="checkbox" checked={q.clip} disabled={disabled} onChange={(e) => setQuantize({ ...q, clip: e.target.checked })} data-testid={`${t}-clip`} />
                <span>clip</span>
              </label>
            )}
            {q.method === 'gptq' && (
              <label className="radio small" title="Act-order: solve the columns with the largest Hessian diagonal first (groups stay in the original order, so no group index is needed)">
                <input type="checkbox" checked={q.actOrder} disabled={disabled} onChange={(e) => setQuantize({ ...q, actOrder: e.target.checked })} data-testid={`${t}-act-order`} />
                <span>act-order</span>
              </label>
            )}
          </>
        )}
        {q?.method === 'hqq' && (
          <>
            <select aria-label={`Rule ${index} bits`} value={q.bits} disabled={disabled} onChange={(e) => {
              const bits = Number(e.target.value) as RtnBits;
              setQuantize({ ...q, bits, zeroPoint: bits === 8 ? 'integer' : q.zeroPoint });
            }} data-testid={`${t}-bits`}>
              {RTN_BITS.map((b) => <option key={b} value={b}>{b}-bit</option>)}
            </select>
            <select aria-label={`Rule ${index} group`} value={String(q.group)} disabled={disabled} onChange={(e) => setQuantize({ ...q, group: (e.target.value === 'per-channel' ? 'per-channel' : Number(e.target.value)) as RtnGroupSize })} data-testid={`${t}-group`}>
              {RTN_GROUP_SIZES.map((g) => <option key={g} value={g}>group {g}</option>)}
              <option value="per-channel">per channel</option>
            </select>
            <select aria-label={`Rule ${index} zero points`} value={q.zeroPoint} disabled={disabled} onChange={(e) => setQuantize({ ...q, zeroPoint: e.target.value as HqqZeroPoint })} data-testid={`${t}-zero-point`}
              title="Float zero points are HQQ's own result and run on onnxruntime's CPU and wasm providers (2-4 bit); integer ones also run on its WebGPU provider">
              {HQQ_ZERO_POINTS.map((z) => <option key={z} value={z} disabled={z === 'float' && q.bits === 8}>{z} zero points</option>)}
            </select>
          </>
        )}
        {q?.method === 'ggml' && (
          <>
            <select aria-label={`Rule ${index} type`} value={q.type} disabled={disabled} onChange={(e) => setQuantize({ ...q, type: e.target.value as GgmlQuantType })} data-testid={`${t}-type`}>
              {GGML_QUANT_TYPES.map((g) => <option key={g} value={g}>{g}</option>)}
            </select>
            <label className="radio small" title="Importance matrix: weigh each input column by how strongly it is used (mean x² over calibration tokens), as llama-quantize --imatrix does; Q8_0 and float types ignore it">
              <input type="checkbox" checked={q.imatrix === true} disabled={disabled} onChange={(e) => {
                const { imatrix: _i, ...plain } = q;
                setQuantize(e.target.checked ? { ...plain, imatrix: true } : plain);
              }} data-testid={`${t}-imatrix`} />
              <span>imatrix</span>
            </label>
          </>
        )}
      </div>
      {props.error ? (
        <p className="small sweep-error" role="alert" data-testid={`${t}-error`}>{props.error}</p>
      ) : (
        <p className={`small rule-stats${stats && stats.tensors === 0 ? ' is-warning' : ''}`} data-testid={`${t}-stats`}>
          {!stats ? '…' : stats.tensors === 0 ? 'takes no tensor (an earlier rule matches first, or nothing matches)' : `${stats.tensors} tensor${stats.tensors === 1 ? '' : 's'} · ${formatBytes(stats.bytesBefore)} → ${formatBytes(stats.bytesAfter)}`}
        </p>
      )}
    </li>
  );
}
