// Which text perplexity is measured on: the bundled WikiText-2 excerpt, or the user's own
// (typed, pasted or read from a text file). Used by "Evaluate" and by sweeps alike.
import { HelpLink } from '../help';
import type { ChangeEvent } from 'react';
import { useStudioStore } from '../../store/studio-store';

export function EvalTextChoice({ disabled }: { disabled: boolean }) {
  const source = useStudioStore((s) => s.evalTextSource);
  const text = useStudioStore((s) => s.evalUserText);
  const fileName = useStudioStore((s) => s.evalUserTextName);
  const setSource = useStudioStore((s) => s.setEvalTextSource);
  const setText = useStudioStore((s) => s.setEvalUserText);

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file) setText(await file.text(), file.name);
  };

  return (
    <fieldset className="field" disabled={disabled}>
      <legend>
        Text
        <HelpLink topic="eval-text" />
      </legend>
      <div className="radio-list">
        <label className="radio">
          <input type="radio" name="eval-text" checked={source === 'bundled'} onChange={() => setSource('bundled')} data-testid="eval-text-bundled" />
          <span>WikiText-2 test (bundled)</span>
        </label>
        <label className="radio">
          <input type="radio" name="eval-text" checked={source === 'user'} onChange={() => setSource('user')} data-testid="eval-text-user" />
          <span>My own text</span>
        </label>
      </div>
      {source === 'user' && (
        <div className="eval-user-text">
          <textarea
            rows={4}
            placeholder="Paste text here, or pick a .txt file"
            value={text}
            onChange={(e) => setText(e.target.value)}
            data-testid="eval-text-input"
          />
          <div className="eval-user-text-row small muted">
            <label className="button button-small">
              Pick a text file…
              <input type="file" accept=".txt,text/plain" className="sr-only" onChange={(e) => void onFile(e)} data-testid="eval-text-file" />
            </label>
            <span data-testid="eval-text-size">
              {fileName ? `${fileName} · ` : ''}
              {text.length.toLocaleString('en-US')} characters
            </span>
          </div>
        </div>
      )}
    </fieldset>
  );
}
