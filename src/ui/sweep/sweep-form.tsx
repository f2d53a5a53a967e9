// The sweep panel of the control column: axes, then the run controls. Evaluation settings
// (W, execution provider, text) come from the Perplexity panel above it.
import { useStudioStore } from '../../store/studio-store';
import { SweepAxesFields, useCustomSelectionValid } from './sweep-axes-fields';
import { SweepControls } from './sweep-controls';

export function SweepForm() {
  const hasModel = useStudioStore((s) => s.model !== null);
  const running = useStudioStore((s) => s.sweepStatus !== 'idle');
  const valid = useCustomSelectionValid();
  if (!hasModel) return null;
  return (
    <section className="panel form" aria-labelledby="sweep-heading" data-testid="sweep-form">
      <h2 id="sweep-heading">Sweep</h2>
      <SweepAxesFields disabled={running} />
      <SweepControls formValid={valid} />
    </section>
  );
}
