// The recipe's calibration settings, shown when a rule uses a method that calibrates (Wanda,
// SparseGPT, MLP channels, GPTQ, importance-weighted llama.cpp types): the text (the bundled
// wikitext-2 validation excerpt, which never overlaps the evaluation text, or the person's own
// file), how many windows of 256 tokens to run — fewer is faster and says so in the result — and
// whether layers are measured one after another on the compressed model (sequential) or in one pass.
// Importance-weighted types may instead take a llama.cpp importance-matrix file (llama-imatrix's,
// or one the studio measured earlier), and then nothing runs.
import { DEFAULT_CALIBRATION, recipeUsesImatrix, ruleCalibrates, type CalibrationSpec, type Recipe } from '../../core/recipe';
import { EVAL_PROTOCOL } from '../../core/evaluation';
import { useStudioStore } from '../../store/studio-store';
import { formatInteger } from '../format';

/** Where importance comes from: measured on the text, or a loaded file. */
function ImportanceSource({ spec, disabled }: { spec: CalibrationSpec; disabled: boolean }) {
  const setCalibration = useStudioStore((s) => s.setCalibration);
  const addFile = useStudioStore((s) => s.addImatrixFile);
  const files = useStudioStore((s) => s.imatrixFiles);
  const chosen = files.find((f) => f.name === spec.imatrix);
  const { imatrix: _i, ...measured } = spec;
  return (
    <>
      <div className="field-row">
        <label className="field">
          <span className="label">Importance matrix</span>
          <select value={spec.imatrix ?? ''} disabled={disabled} onChange={(e) => setCalibration(e.target.value ? { ...spec, imatrix: e.target.value } : measured)} data-testid="imatrix-source">
            <option value="">measured on the text</option>
            {files.map((f) => <option key={f.name} value={f.name}>{f.name} ({f.entries} weights)</option>)}
            {spec.imatrix !== undefined && !chosen && <option value={spec.imatrix}>{spec.imatrix} (not loaded)</option>}
          </select>
        </label>
        <label className="button button-small" title="A llama.cpp importance matrix: llama-imatrix's imatrix.gguf or legacy .dat, or one downloaded from an earlier run here">
          Load imatrix…
          <input type="file" accept=".gguf,.dat" className="sr-only" disabled={disabled} data-testid="imatrix-file" onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void addFile(file);
          }} />
        </label>
      </div>
      {spec.imatrix !== undefined && (
        <p className="small muted" data-testid="imatrix-info">
          {chosen
            ? `${chosen.entries} weights${chosen.chunks ? `, measured on ${formatInteger(chosen.chunks)} chunks of ${chosen.chunkSize} tokens` : ''}${chosen.datasets.length ? ` of ${chosen.datasets.join(', ')}` : ''}; nothing runs before compressing. Weights it has no importance for are quantized without, as llama-quantize does.`
            : `"${spec.imatrix}" is not loaded here: add it with Load imatrix…`}
        </p>
      )}
    </>
  );
}

export function CalibrationFields({ recipe, disabled }: { recipe: Recipe; disabled: boolean }) {
  const setCalibration = useStudioStore((s) => s.setCalibration);
  const addText = useStudioStore((s) => s.addCalibrationText);
  const texts = useStudioStore((s) => s.calibrationTexts);
  const imatrix = recipeUsesImatrix(recipe);
  if (!imatrix && !recipe.rules.some(ruleCalibrates)) return null;
  const spec = recipe.calibration ?? DEFAULT_CALIBRATION;
  const tokens = spec.windows * EVAL_PROTOCOL.windowLength;
  const known = spec.text === 'builtin' || texts.some((t) => t.name === spec.text);
  return (
    <fieldset className="field calibration-fields" disabled={disabled} data-testid="calibration-fields">
      <legend>Calibration · Wanda, SparseGPT, GPTQ and importance matrices look at what flows into each weight first</legend>
      {imatrix && <ImportanceSource spec={spec} disabled={disabled} />}
      {spec.imatrix === undefined && (
        <>
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
          <label className="radio small" title="Layer by layer, as the Wanda, SparseGPT and GPTQ reference code does: each decoder layer is measured on what the already-compressed layers before it produce (one pass per layer). Off: one pass over the original model, as llama-imatrix does (faster, shared by every recipe on the same text).">
            <input type="checkbox" checked={spec.sequential} onChange={(e) => setCalibration({ ...spec, sequential: e.target.checked })} data-testid="calibration-sequential" />
            <span>layer by layer (sequential)</span>
          </label>
          <p id="calibration-tokens" className="small muted" data-testid="calibration-tokens">
            {Number.isInteger(spec.windows) && spec.windows > 0 ? `${formatInteger(tokens)} calibration tokens (${spec.windows} × ${EVAL_PROTOCOL.windowLength})${spec.windows < DEFAULT_CALIBRATION.windows ? `; the protocol uses ${DEFAULT_CALIBRATION.windows} windows` : ''}` : 'a whole number of windows, at least 1'}
            {!known && ` · "${spec.text}" is not loaded here: add it with Own text…`}
          </p>
        </>
      )}
    </fieldset>
  );
}
