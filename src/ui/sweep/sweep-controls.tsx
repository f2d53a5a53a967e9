// Run / Pause / Cancel / Resume / New sweep, with the sweep's progress and last error. Nothing
// finished is ever deleted here: a run with other evaluation settings than the open run's starts a
// new run (the note under the buttons says so before the click), and "New sweep" only empties the
// view — both leave earlier runs in the history (sweep-history.tsx), where deleting is confirmed.
import { gridSize } from '../../store/sweep-axes';
import { startsNewRun } from '../../store/sweep-slice';
import { useStudioStore } from '../../store/studio-store';
import { SweepProgressLine } from './sweep-progress-line';

export function SweepControls({ formValid }: { formValid: boolean }) {
  const status = useStudioStore((s) => s.sweepStatus);
  const runStatus = useStudioStore((s) => s.sweepRunStatus);
  const points = useStudioStore((s) => s.sweepPoints.length);
  const gridTotal = useStudioStore((s) => s.sweepGridIds.length);
  const size = useStudioStore(gridSize);
  const windows = useStudioStore((s) => s.evalWindows);
  const otherBusy = useStudioStore((s) => s.evalStatus !== 'idle' || s.jobStatus !== 'idle' || s.loadStatus !== 'idle');
  const error = useStudioStore((s) => s.sweepError);
  const start = useStudioStore((s) => s.startSweep);
  const resume = useStudioStore((s) => s.resumeSweep);
  const pause = useStudioStore((s) => s.pauseSweep);
  const cancel = useStudioStore((s) => s.cancelSweep);
  const newSweep = useStudioStore((s) => s.newSweep);
  const newRun = useStudioStore(startsNewRun);
  const saveWarning = useStudioStore((s) => s.sweepSaveWarning);
  const idle = status === 'idle';
  const canResume = idle && (runStatus === 'paused' || runStatus === 'cancelled') && points < gridTotal;

  return (
    <>
      <p className="small muted" data-testid="sweep-grid-size">
        {size} point{size === 1 ? '' : 's'} · W={windows} each · compress on the GPU, then evaluate
      </p>
      {idle ? (
        <div className="sweep-buttons">
          <button type="button" className="button button-primary" onClick={() => void start()} disabled={otherBusy || !formValid || size === 0} data-testid="sweep-start">
            Run sweep
          </button>
          {canResume && (
            <button type="button" className="button button-secondary" onClick={() => void resume()} disabled={otherBusy} data-testid="sweep-resume">
              Resume ({gridTotal - points} left)
            </button>
          )}
          {(points > 0 || runStatus) && (
            <button type="button" className="button button-ghost" onClick={newSweep} data-testid="sweep-new" title="Start over with an empty chart; this run stays in the history">
              New sweep
            </button>
          )}
        </div>
      ) : (
        <>
          <SweepProgressLine />
          <div className="sweep-buttons">
            <button type="button" className="button" onClick={pause} disabled={status !== 'running'} data-testid="sweep-pause">
              {status === 'pausing' ? 'Pausing…' : 'Pause'}
            </button>
            <button type="button" className="button button-danger" onClick={cancel} disabled={status === 'cancelling'} data-testid="sweep-cancel">
              {status === 'cancelling' ? 'Cancelling…' : 'Cancel'}
            </button>
          </div>
        </>
      )}
      {idle && newRun && (
        <p className="small muted" data-testid="sweep-new-run-note">
          The evaluation settings differ from this run's, so "Run sweep" starts a new run; this one stays in the history.
        </p>
      )}
      {idle && runStatus && runStatus !== 'running' && (
        <p className="small muted" data-testid="sweep-status" data-status={runStatus}>
          {runStatus === 'done' ? `Done: ${points} of ${gridTotal} points.` : `${runStatus === 'paused' ? 'Paused' : 'Cancelled'}: ${points} of ${gridTotal} points finished.`}
        </p>
      )}
      {saveWarning && (
        <p className="small sweep-error" role="alert" data-testid="sweep-save-warning">
          {saveWarning} The points on this page are not saved: a reload would lose them; export the table (CSV/JSON) to keep them.
        </p>
      )}
      {error && (
        <p className="small sweep-error" role="alert" data-testid="sweep-error" data-code={error.code}>
          {error.message}
        </p>
      )}
    </>
  );
}
