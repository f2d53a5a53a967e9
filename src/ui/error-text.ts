// What each error code means to a person and what to do about it (DESIGN decision 6).
// Switches on `code` only: errors from the worker are rebuilt, so instanceof would not hold.
import type { Notice, NoticeStep } from '../store/notice-slice';

export interface NoticeText {
  tone: 'error' | 'info';
  title: string;
  /** What to do next. */
  hint: string;
}

const STEP: Record<NoticeStep, string> = {
  load: 'The model could not be opened',
  compress: 'Compression failed',
  export: 'The file could not be saved',
  recipe: 'The recipe could not be loaded',
  budget: 'No recipe fits that size',
};

export const WEBGPU_HELP =
  'Use a recent Chrome or Edge (113 or newer) on a machine with a GPU driver. If WebGPU is off, open ' +
  'chrome://flags/#enable-unsafe-webgpu, enable it and restart the browser (on Linux also enable ' +
  'chrome://flags/#enable-vulkan). In Firefox Nightly set dom.webgpu.enabled; in Safari turn on the WebGPU feature flag.';

/** The kind of file an error names, by its name ("model.gguf" → GGUF), for the banner's heading. */
export function fileKind(file: string | undefined): 'ONNX' | 'GGUF' | 'safetensors' | 'JSON' | 'imatrix' | undefined {
  const name = (file ?? '').toLowerCase();
  if (/\.gguf$/.test(name)) return 'GGUF';
  if (/\.safetensors(\.index\.json)?$/.test(name)) return 'safetensors';
  if (/\.dat$/.test(name)) return 'imatrix';
  if (/\.json$/.test(name)) return 'JSON';
  if (/\.onnx$|\.onnx[._]data$|\.data$/.test(name)) return 'ONNX';
  return undefined;
}

const baseName = (file: string) => file.split(/[\\/]/).pop() ?? file;

/** A kind of file as a heading says it. */
const KIND_NAME: Record<NonNullable<ReturnType<typeof fileKind>>, string> = { ONNX: 'ONNX', GGUF: 'GGUF', safetensors: 'safetensors', JSON: 'JSON', imatrix: 'importance matrix' };

const FORMAT_HINT: Record<NonNullable<ReturnType<typeof fileKind>>, string> = {
  ONNX: 'The file is damaged, truncated (an interrupted download?) or not an ONNX model. Export or download it again and drop it here.',
  GGUF: 'The file is damaged, truncated (an interrupted download?) or not a GGUF model. Convert or download it again and drop it here.',
  safetensors: 'The file is damaged, truncated (an interrupted download?) or not a safetensors checkpoint. Download it again and drop it here.',
  JSON: 'This JSON file (config.json, tokenizer.json, a recipe) is not valid JSON or lacks what the studio reads from it; the message says where. Replace it with the one that came with the model.',
  imatrix: 'The importance matrix is damaged or not one llama-imatrix wrote. Measure it again, or let the studio measure it on a text.',
};

export function noticeText(notice: Notice): NoticeText {
  const step = STEP[notice.step];
  const kind = fileKind(notice.file);
  switch (notice.code) {
    case 'format':
      return {
        tone: 'error',
        // A file named by the error is the heading, whatever the step (an importance matrix, a recipe, external data).
        title: notice.file ? `${baseName(notice.file)} is not a readable ${kind ? KIND_NAME[kind] : 'model'} file` : notice.step !== 'load' ? step : 'This file could not be read',
        hint: kind ? FORMAT_HINT[kind] : 'The file is damaged, truncated (an interrupted download?) or not a model the studio reads (.onnx, .gguf, .safetensors).',
      };
    case 'unsupported':
      return {
        tone: 'error',
        title: notice.step === 'load' ? `This ${kind && kind !== 'JSON' ? `${kind} ` : ''}model is not supported yet` : step,
        hint:
          'The file is readable, but it uses something the studio cannot compress yet (the message says what). Llama-style decoders (llama, mistral, qwen2) as ONNX, GGUF or safetensors with float32/float16/bfloat16 weights work.',
      };
    case 'missing-file':
      return {
        tone: 'error',
        title: 'A file of the model is missing',
        hint: notice.file
          ? `Drop ${notice.file} too, with the files you dropped, or drop the whole model folder.`
          : 'Drop the model file together with its external data or shards (e.g. model.onnx_data), or drop the whole model folder.',
      };
    case 'gpu-unavailable':
      return { tone: 'error', title: 'WebGPU is not available in this browser', hint: WEBGPU_HELP };
    case 'gpu-limit':
      return {
        tone: 'error',
        title: 'The GPU cannot handle this tensor',
        hint: 'A tensor exceeds what this GPU allows in one buffer. Try a browser or machine with a larger GPU.',
      };
    case 'out-of-memory':
      return {
        tone: 'error',
        title: 'Out of memory',
        hint: 'The browser or the GPU refused the memory this needs. Close other tabs, or try a smaller model.',
      };
    case 'shape':
      return {
        tone: 'error',
        title: step,
        hint: 'A weight has a shape or values the quantizer cannot take (the message says which). Keep that tensor: add a rule with "keep as is" for it before the others.',
      };
    case 'usage':
      return {
        tone: 'error',
        title: step,
        hint: notice.step === 'recipe' ? 'A recipe is JSON as docs/recipe.schema.json describes ("recipe": 1 and "rules"); the message says which rule and field is wrong.' : 'Check the settings and try again.',
      };
    case 'cancelled':
      return { tone: 'info', title: 'Run cancelled', hint: 'Nothing was changed: the previous result (if any) is still here.' };
    default:
      return { tone: 'error', title: step, hint: 'Something unexpected went wrong. The page still works: try again, or reload it.' };
  }
}
