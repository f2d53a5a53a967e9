// One sentence per setting, shown as the tooltip of a small "?" beside it, which opens the
// settings page the app serves (public/docs/settings.html, precached: it works offline) at the
// setting's section. The one place these explanations live in the UI; a test holds every topic
// to a section of that page.
export const HELP = {
  bits: { anchor: 'bits', text: 'How many bits each weight keeps: 8 is close to lossless, 4 the usual trade-off, 3 and 2 lose more. In ONNX, 3-bit codes sit in 4-bit containers (no smaller).' },
  block: { anchor: 'block', text: 'How many weights share one scale: smaller blocks follow the weights more closely but store more scales; a block longer than the row is padded.' },
  'zero-point': { anchor: 'zero-point', text: 'Asym keeps a zero point per block so the codes span min…max; sym has none (centred on zero): a little smaller, usually a little less accurate.' },
  methods: { anchor: 'rtn', text: 'RTN rounds each weight; GPTQ compensates rounding errors through calibration data; AWQ rescales input channels that matter; HQQ optimises zero points without data.' },
  'llama-cpp': { anchor: 'llama-cpp', text: "llama.cpp's own block types, byte for byte; on rows 256 does not divide, k-quants fall back to other types as llama.cpp does, and the plan names each." },
  imatrix: { anchor: 'imatrix', text: 'An importance matrix (llama-imatrix) weights rounding errors by how much each input channel is used on calibration text.' },
  pruning: { anchor: 'pruning', text: 'Sets weights to zero: magnitude drops the smallest, Wanda weighs them by activations, SparseGPT compensates the rest, MLP channels removes whole channels; 2:4 keeps 2 of every 4.' },
  'size-budget': { anchor: 'size-budget', text: 'A target in bits per weight: each weight gets the setting that fits the size with the least predicted loss (measured on calibration text).' },
  calibration: { anchor: 'calibration', text: 'Methods that look at activations first run the model on calibration text (wikitext-2 validation by default), never on the text perplexity is measured on.' },
  tensors: { anchor: 'tensors', text: 'Which weights a point quantizes: every MatMul, all but the embeddings and output head, or those your regular expressions match.' },
  base: { anchor: 'base', text: "Rules that come first in every sweep point (say, the output head in 8-bit); the point's own setting follows." },
  windows: { anchor: 'windows', text: 'Perplexity over W windows of 256 tokens of the wikitext-2 test text (W=64 is the reference protocol); only numbers with the same W and text compare.' },
  backend: { anchor: 'backend', text: "Where onnxruntime-web runs the model: WebGPU or wasm (CPU). Auto avoids a WebGPU adapter that is a CPU fallback; the numbers agree to about 1e-4." },
  'eval-text': { anchor: 'eval-text', text: 'The bundled wikitext-2 excerpt, or your own text scored the same way; a text too short for W windows is refused with the count.' },
  kl: { anchor: 'kl', text: "KL divergence from the original's next-token distribution over the same windows, and how often both pick the same top token; a lower bound (top 32 kept)." },
  'bits-per-weight': { anchor: 'bits-per-weight', text: 'Sizes are the exact bytes written; bits per weight count codes, scales, zero points and padding of the quantized tensors.' },
  history: { anchor: 'history', text: "Every run and evaluation is kept in this browser under a hash of the model's bytes, and goes only when you delete it (with undo)." },
} as const satisfies Record<string, { anchor: string; text: string }>;

export type HelpTopic = keyof typeof HELP;

export const SETTINGS_PAGE = 'docs/settings.html';

export function HelpLink({ topic }: { topic: HelpTopic }) {
  const { anchor, text } = HELP[topic];
  return (
    <a className="help-link" href={`${import.meta.env.BASE_URL}${SETTINGS_PAGE}#${anchor}`} target="_blank" rel="noopener" title={text} aria-label={`About this setting: ${text}`} data-testid={`help-${topic}`}>
      ?
    </a>
  );
}
