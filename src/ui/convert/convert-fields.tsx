// The options of each conversion: GGUF type (float, preset mix or pure-only type) with "pure",
// and the safetensors dtype.
import { GGUF_FLOAT_TYPES, GGUF_PRESET_TYPES, GGUF_PURE_ONLY_TYPES, pureForced, SAFETENSORS_DTYPES, type SafetensorsDtype } from '../../store/convert-slice';
import { useStudioStore } from '../../store/studio-store';

export function GgufFields({ disabled }: { disabled: boolean }) {
  const type = useStudioStore((s) => s.convertGgufType);
  const pure = useStudioStore((s) => s.convertPure);
  const setType = useStudioStore((s) => s.setConvertGgufType);
  const setPure = useStudioStore((s) => s.setConvertPure);
  const forced = pureForced(type);
  const isFloat = GGUF_FLOAT_TYPES.includes(type);
  return (
    <>
      <label className="field">
        <span className="label">Type</span>
        <select value={type} onChange={(e) => setType(e.target.value)} disabled={disabled} data-testid="export-gguf-type">
          <optgroup label="llama.cpp presets">
            {GGUF_PRESET_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </optgroup>
          <optgroup label="Pure types (every tensor one type)">
            {GGUF_PURE_ONLY_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </optgroup>
          <optgroup label="Float">
            {GGUF_FLOAT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </optgroup>
        </select>
      </label>
      <label className="radio">
        <input type="checkbox" checked={forced || (pure && !isFloat)} disabled={disabled || forced || isFloat} onChange={(e) => setPure(e.target.checked)} data-testid="export-gguf-pure" />
        <span>Pure: one type for every quantizable tensor (llama-quantize --pure)</span>
      </label>
    </>
  );
}

export function SafetensorsFields({ disabled }: { disabled: boolean }) {
  const dtype = useStudioStore((s) => s.convertDtype);
  const setDtype = useStudioStore((s) => s.setConvertDtype);
  return (
    <>
      <label className="field">
        <span className="label">Data type</span>
        <select value={dtype} onChange={(e) => setDtype(e.target.value as SafetensorsDtype)} disabled={disabled} data-testid="export-safetensors-dtype">
          {SAFETENSORS_DTYPES.map((d) => <option key={d} value={d}>{d.toUpperCase()}</option>)}
        </select>
      </label>
      <p className="small muted" data-testid="export-safetensors-note">
        One model.safetensors file (quantized GGUF tensors are dequantized). config.json and tokenizer.json are your own files already: keep them beside it (set torch_dtype in config.json if you change the dtype).
      </p>
    </>
  );
}
