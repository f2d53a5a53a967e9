// The recipe's calibration settings, shown when a rule uses a method that calibrates (Wanda,
// SparseGPT, MLP channels, GPTQ): the text (the bundled wikitext-2 validation excerpt, which never overlaps the
// evaluation text, or the person's own file) and how many windows of 256 tokens to run — fewer is
// faster and says so in the result.
import { DEFAULT_CALIBRATION, ruleCalibrates, type Recipe } from '../../core/recipe';
import { EVAL_PROTOCOL } from '../../core/evaluation';
import { useStudioStore } from '../../store/studio-store';
import { formatInteger } from '../format';

export function CalibrationFields({ recipe, disabled }: { recipe: Recipe; disabled: boolean }) {
  const setCalibration = useStudioStore((s) => s.setCalibration);
  const addText = useStudioStore((s) => s.addCalibrationText);
  const texts = useStudioStore((s) => s.calibrationTexts);
  if (!recipe.rules.some(ruleCalibrates)) return null;
  const spec = recipe.calibration ?? DEFAULT_CALIBRATION;
  const tokens = spec.windows * EVAL_PROTOCOL.windowLength;
  const known = spec.text === 'builtin' || texts.some((t) => t.name === spec.text);
  return (
    <fieldset className="field calibration-fields" disabled={disabled} data-testid="calibration-fields">
      <legend>Calibration · Wanda and SparseGPT look at what flows into each weight first</legend>
      <div className="field-row">
        <label className="field">
          <span className="label">Text</span>
          <select value={spec.text} onChange={(e) => setCalibration({ ...spec, text: e.target.value })} data-testid="calibration-text">
            <option value="builtin">wikitext-2 validation excerpt (bundled)</option>
            {texts.map((t) => <option key={t.name} value={t.name}>{t.name} ({formatInteger(t.characters)} characters)</option>)}
            {!known && <option value={spec.text}>{spec.text} (not loaded)</option>}
          </select>
        </label>
        <label className="field field-narrow">
          <span className="label">Windows</span>
          <input
            type="number"
            min={1}
            step={1}
            value={spec.windows}
            onChange={(e) => setCalibration({ ...spec, windows: e.target.valueAsNumber })}
            aria-describedby="calibration-tokens"
            data-testid="calibration-windows"
          />
        </label>
        <label className="button button-small">
          Own text…
          <input type="file" accept=".txt,text/plain" className="sr-only" data-testid="calibration-file" onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void addText(file);
          }} />
        </label>
      </div>
      <p id="calibration-tokens" className="small muted" data-testid="calibration-tokens">
        {Number.isInteger(spec.windows) && spec.windows > 0 ? `${formatInteger(tokens)} calibration tokens (${spec.windows} × ${EVAL_PROTOCOL.windowLength})${spec.windows < DEFAULT_CALIBRATION.windows ? `; the protocol uses ${DEFAULT_CALIBRATION.windows} windows` : ''}` : 'a whole number of windows, at least 1'}
        {!known && ` · "${spec.text}" is not loaded here: add it with Own text…`}
      </p>
    </fieldset>
  );
}
