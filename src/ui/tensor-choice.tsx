// "Which tensors": all matmuls, all but the output head, or custom include/exclude patterns,
// with a live count of what matches.
import type { SelectionMode } from '../store/selection';
import { useStudioStore } from '../store/studio-store';
import { formatBytes } from './format';
import { useMatchCount } from './use-match-count';

const MODES: { id: SelectionMode; label: string }[] = [
  { id: 'all-matmuls', label: 'All MatMul weights' },
  { id: 'all-but-head', label: 'All but the output head' },
  { id: 'custom', label: 'Custom (regular expressions)' },
];

export function TensorChoice({ disabled }: { disabled: boolean }) {
  const mode = useStudioStore((s) => s.selectionMode);
  const include = useStudioStore((s) => s.include);
  const exclude = useStudioStore((s) => s.exclude);
  const setMode = useStudioStore((s) => s.setSelectionMode);
  const setInclude = useStudioStore((s) => s.setInclude);
  const setExclude = useStudioStore((s) => s.setExclude);
  const hasModel = useStudioStore((s) => s.model !== null);
  const match = useMatchCount();

  return (
    <fieldset className="field" disabled={disabled} data-testid="selection">
      <legend>Tensors</legend>
      <div className="radio-list">
        {MODES.map((m) => (
          <label key={m.id} className="radio">
            <input type="radio" name="selection" value={m.id} checked={mode === m.id} onChange={() => setMode(m.id)} data-testid={`selection-${m.id}`} />
            <span>{m.label}</span>
          </label>
        ))}
      </div>
      {mode === 'custom' && (
        <div className="regex-fields">
          <label className="field">
            <span className="label">Include</span>
            <input
              type="text"
              className="mono"
              spellCheck={false}
              placeholder="e.g. mlp|self_attn (empty: all matmuls)"
              value={include}
              onChange={(e) => setInclude(e.target.value)}
              aria-invalid={!match.ok}
              data-testid="include-pattern"
            />
          </label>
          <label className="field">
            <span className="label">Exclude</span>
            <input
              type="text"
              className="mono"
              spellCheck={false}
              placeholder="e.g. lm_head|layers\.0\."
              value={exclude}
              onChange={(e) => setExclude(e.target.value)}
              aria-invalid={!match.ok}
              data-testid="exclude-pattern"
            />
          </label>
        </div>
      )}
      {hasModel && (
        <p className={`match-count${match.ok && match.count > 0 ? '' : ' is-warning'}`} aria-live="polite" data-testid="match-count">
          {!match.ok
            ? match.message
            : match.count === 0
              ? 'No tensor matches: nothing to quantize.'
              : `${match.count} tensor${match.count === 1 ? '' : 's'} match · ${formatBytes(match.bytes)}`}
        </p>
      )}
    </fieldset>
  );
}
