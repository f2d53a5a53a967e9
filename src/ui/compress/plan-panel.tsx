// The plan of the editor's recipe for the open model, before anything runs: every tensor the rules
// see, the rule that took it (and where the rule came from), the method, how it is stored, and the
// exact bytes before and after; totals, bits per weight and the exact output size.
import { useMemo, useState } from 'react';
import { actionPrune, type TensorPlan } from '../../core/compression-plan';
import { ruleLabel } from '../../core/recipe';
import { useStudioStore } from '../../store/studio-store';
import { formatBytes, formatInteger } from '../format';
import { shortName } from '../layer-groups';
import { Stat } from '../stat';

const ENCODING_LABEL: Record<TensorPlan['encoding']['kind'], string> = {
  copy: 'as stored',
  float: 'float',
  'matmul-nbits': 'MatMulNBits',
  'gather-block-quantized': 'GatherBlockQuantized',
  'gptq-packed': 'GPTQ-packed',
  ggml: 'ggml',
  tied: 'tied',
};

function encodingText(t: TensorPlan): string {
  const e = t.encoding;
  if (e.kind === 'float') return `${e.dtype}${e.dequantized ? ' (dequantized)' : ''}`;
  if (e.kind === 'ggml') return e.type;
  if (e.kind === 'tied') return 'stored once, as the embedding';
  return ENCODING_LABEL[e.kind];
}

export function PlanPanel() {
  const plan = useStudioStore((s) => s.plan);
  const [open, setOpen] = useState(false);
  const totals = useMemo(() => {
    if (!plan) return null;
    return plan.tensors.reduce((a, t) => ({ before: a.before + t.bytesBefore, after: a.after + t.bytesAfter }), { before: 0, after: 0 });
  }, [plan]);
  if (!plan || !totals) return null;
  const quantized = plan.tensors.filter((t) => t.action.kind === 'quantize').length;
  const pruned = plan.tensors.filter((t) => actionPrune(t.action)).length;
  return (
    <section className="panel" aria-labelledby="plan-heading" data-testid="plan-panel">
      <header className="panel-header panel-header-row">
        <div>
          <h2 id="plan-heading">Plan</h2>
          <p className="panel-sub">Before anything runs: what each rule does, and the exact size of the {plan.format.toUpperCase()} file</p>
        </div>
        <button type="button" className="button button-small" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="plan-toggle">
          {open ? 'Hide tensors' : `Show ${plan.tensors.length} tensors`}
        </button>
      </header>
      <dl className="stats">
        <Stat label="Output file" value={formatBytes(plan.outputBytes)} title={`${formatInteger(plan.outputBytes)} bytes`} testId="plan-output-bytes" accent />
        <Stat label="Input" value={formatBytes(plan.inputBytes)} title={`${formatInteger(plan.inputBytes)} bytes`} />
        <Stat label="Quantized" value={`${quantized} / ${plan.tensors.length}`} note="tensors" testId="plan-quantized" />
        {pruned > 0 && <Stat label="Pruned" value={`${pruned} / ${plan.tensors.length}`} note={plan.calibration ? `tensors · calibrates on ${plan.calibration.windows} windows first` : 'tensors'} testId="plan-pruned" />}
        <Stat label="Bits per weight" value={quantized ? plan.bitsPerWeight.toFixed(2) : '–'} note="of the quantized tensors" testId="plan-bpw" />
      </dl>
      {plan.notes.map((n) => <p key={n} className="small muted plan-note" data-testid="plan-note">{n}</p>)}
      {open && (
        <div className="table-scroll" data-testid="plan-table">
          <table className="table">
            <caption className="sr-only">Every tensor with its rule, method and bytes</caption>
            <thead>
              <tr>
                <th scope="col">Layer</th>
                <th scope="col">Rule</th>
                <th scope="col">Method</th>
                <th scope="col">Stored as</th>
                <th scope="col" className="num">Before</th>
                <th scope="col" className="num">After</th>
              </tr>
            </thead>
            <tbody>
              {plan.tensors.map((t) => (
                <tr key={t.name} data-testid="plan-row" data-rule={t.rule ?? ''}>
                  <td className="mono" title={`${t.layer} (${t.name})${t.notes.length ? `\n${t.notes.join('\n')}` : ''}`}>
                    {shortName(t.layer || t.name)}
                    {t.notes.length > 0 && <span className="plan-note-mark" aria-label={t.notes.join('; ')}> ⓘ</span>}
                  </td>
                  <td title={t.rule === null ? 'no rule matched: kept' : plan.ruleSources[t.rule]}>{t.rule === null ? '–' : plan.ruleSources[t.rule] === 'recipe' ? t.rule : `${plan.ruleSources[t.rule]}`}</td>
                  <td>{t.action.kind === 'fold' ? 'AWQ scales folded in' : ruleLabel(t.action.kind === 'keep' ? { keep: true } : t.action.kind === 'prune' ? { prune: t.action.prune } : { prune: t.action.prune, quantize: t.action.spec })}</td>
                  <td>{encodingText(t)}</td>
                  <td className="num">{formatBytes(t.bytesBefore)}</td>
                  <td className="num">{formatBytes(t.bytesAfter)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={4}>Total of these tensors</th>
                <td className="num">{formatBytes(totals.before)}</td>
                <td className="num" data-testid="plan-total-after">{formatBytes(totals.after)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}
