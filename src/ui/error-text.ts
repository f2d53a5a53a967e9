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

export function noticeText(notice: Notice): NoticeText {
  const step = STEP[notice.step];
  switch (notice.code) {
    case 'format':
      return {
        tone: 'error',
        title: notice.step === 'load' ? 'This is not a readable ONNX file' : step,
        hint: 'The file is damaged, truncated (an interrupted download?) or not an ONNX model. Export or download it again and drop it here.',
      };
    case 'unsupported':
      return {
        tone: 'error',
        title: notice.step === 'load' ? 'This model is not supported yet' : step,
        hint: 'The file is valid, but it uses something the studio cannot compress yet. Models with float32/float16 MatMul weights (e.g. Llama-style decoders exported for onnxruntime) work.',
      };
    case 'missing-file':
      return {
        tone: 'error',
        title: 'A file of the model is missing',
        hint: notice.file
          ? `Drop ${notice.file} together with the .onnx file, or drop the whole model folder.`
          : 'Drop the .onnx file together with its external data (e.g. model.onnx_data), or drop the whole model folder.',
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
