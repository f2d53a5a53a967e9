// The recipe: bits, symmetric or not, block size, which tensors; and the Quantize button.
import type { FormEvent } from 'react';
import type { QuantBits } from '../core/quantized-tensor';
import { BITS_CHOICES, BLOCK_CHOICES, type BlockChoice } from '../store/job-slice';
import { useStudioStore } from '../store/studio-store';
import { TensorChoice } from './tensor-choice';
import { useMatchCount } from './use-match-count';

function parseBlock(value: string): BlockChoice {
  return value === 'per-channel' ? 'per-channel' : (Number(value) as BlockChoice);
}

export function QuantizeForm() {
  const bits = useStudioStore((s) => s.bits);
  const symmetric = useStudioStore((s) => s.symmetric);
  const blockSize = useStudioStore((s) => s.blockSize);
  const setBits = useStudioStore((s) => s.setBits);
  const setSymmetric = useStudioStore((s) => s.setSymmetric);
  const setBlockSize = useStudioStore((s) => s.setBlockSize);
  const quantize = useStudioStore((s) => s.quantize);
  const hasModel = useStudioStore((s) => s.model !== null);
  const idle = useStudioStore((s) => s.jobStatus === 'idle' && s.loadStatus === 'idle' && s.exportStatus === 'idle');
  const running = useStudioStore((s) => s.jobStatus !== 'idle');
  const match = useMatchCount();
  const selectionValid = match.ok && match.count > 0;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void quantize();
  };

  return (
    <form className="panel form" onSubmit={onSubmit} aria-labelledby="quantize-heading" data-testid="quantize-form">
      <h2 id="quantize-heading">Quantize</h2>
      <fieldset className="field" disabled={running}>
        <legend>Bits per weight</legend>
        <div className="segmented">
          {BITS_CHOICES.map((b) => (
            <label key={b} className="segment">
              <input type="radio" name="bits" value={b} checked={bits === b} onChange={() => setBits(b as QuantBits)} data-testid={`bits-${b}`} />
              <span>{b}-bit</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field-row">
        <label className="field">
          <span className="label">Block size</span>
          <select
            value={String(blockSize)}
            onChange={(e) => setBlockSize(parseBlock(e.target.value))}
            disabled={running}
            data-testid="block-size"
          >
            {BLOCK_CHOICES.map((b) => (
              <option key={b} value={String(b)}>
                {b === 'per-channel' ? 'Per channel' : `${b} weights`}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="field" disabled={running}>
          <legend>Zero point</legend>
          <div className="segmented">
            <label className="segment">
              <input type="radio" name="symmetric" checked={!symmetric} onChange={() => setSymmetric(false)} data-testid="asymmetric" />
              <span>Asym</span>
            </label>
            <label className="segment">
              <input type="radio" name="symmetric" checked={symmetric} onChange={() => setSymmetric(true)} data-testid="symmetric" />
              <span>Sym</span>
            </label>
          </div>
        </fieldset>
      </div>
      <TensorChoice disabled={running} />
      <button type="submit" className="button button-primary button-wide" disabled={!hasModel || !idle || !selectionValid} data-testid="quantize-button">
        {running ? 'Quantizing…' : 'Quantize on the GPU'}
      </button>
      {!hasModel && <p className="muted small">Load a model first.</p>}
    </form>
  );
}
