// The question a drop can raise before anything opens: which of several dropped models to open,
// or whether to stop the run going on (a sweep pauses, keeping its points) and open the new one.
import { useStudioStore } from '../store/studio-store';

export function OpenChoice() {
  const pending = useStudioStore((s) => s.pendingOpen);
  const resolve = useStudioStore((s) => s.resolvePendingOpen);
  if (!pending) return null;
  return (
    <div className="banner banner-info" role="alertdialog" aria-labelledby="open-choice-title" data-testid="open-choice" data-kind={pending.kind}>
      <div className="banner-body">
        {pending.kind === 'choose-model' ? (
          <>
            <strong className="banner-title" id="open-choice-title">The drop holds {pending.candidates.length} models: which one should open?</strong>
            <div className="open-choice-actions">
              {pending.candidates.map((label, i) => (
                <button key={label} type="button" className="button button-secondary mono" data-testid="open-choice-model" onClick={() => void resolve(i)}>
                  {label}
                </button>
              ))}
            </div>
          </>
        ) : (
          <>
            <strong className="banner-title" id="open-choice-title">Stop {pending.running} and open {pending.label}?</strong>
            <p className="banner-message">
              {pending.running === 'a sweep' ? 'The sweep pauses: its finished points are kept and it resumes when this model is opened again.' : 'What already finished stays; the work in progress is cancelled.'}
            </p>
            <div className="open-choice-actions">
              <button type="button" className="button button-primary" data-testid="open-choice-stop" onClick={() => void resolve('stop-run')}>
                Stop and open
              </button>
            </div>
          </>
        )}
      </div>
      <button type="button" className="button-ghost" data-testid="open-choice-dismiss" onClick={() => void resolve(null)} aria-label="Keep the current model">
        ✕
      </button>
    </div>
  );
}
