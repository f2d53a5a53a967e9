// Sweeps saved by the studio before recipes (points named `rtn:4:32:asym:all-matmuls` or
// `llama.cpp:Q8_0`, with a scheme and a selection) still load: each point becomes the recipe it
// ran — same settings, now named by its recipe id — and keeps everything it measured.
import type { RtnBits, RtnGroupSize } from '../core/recipe';
import type { SweepPoint, SweepState } from '../core/sweep';
import type { TensorSelection } from '../core/tensor-selection';
import { ggufPoint, gridPoint } from '../pipeline/sweep';

/** A point as the previous version saved it. */
interface LegacyPoint extends Omit<SweepPoint, 'recipe' | 'format' | 'label' | 'tensors'> {
  kind?: 'rtn' | 'gguf';
  scheme?: { bits: RtnBits; symmetric: boolean; blockSize: RtnGroupSize };
  selection?: TensorSelection;
  ggufType?: string;
  tensors: { name: string; layer: string; relError: number; type?: string }[];
}

function legacyConfig(id: string, selections: SweepState['request']['axes']['selections']) {
  const gguf = /^llama\.cpp:(.+)$/.exec(id);
  if (gguf) return ggufPoint(gguf[1]);
  const rtn = /^rtn:(\d):([^:]+):(sym|asym):(.+)$/.exec(id);
  if (!rtn) return undefined;
  const selection = selections.find((s) => s.label === rtn[4]);
  if (!selection) return undefined;
  const group = rtn[2] === 'per-channel' ? 'per-channel' : (Number(rtn[2]) as RtnGroupSize);
  return gridPoint({ method: 'rtn', bits: Number(rtn[1]) as RtnBits, group, symmetric: rtn[3] === 'sym' }, selection);
}

function migratePoint(p: LegacyPoint, selections: SweepState['request']['axes']['selections']): SweepPoint | undefined {
  const config =
    p.kind === 'gguf' && p.ggufType
      ? ggufPoint(p.ggufType)
      : p.scheme && p.selection
        ? gridPoint({ method: 'rtn', bits: p.scheme.bits, group: p.scheme.blockSize, symmetric: p.scheme.symmetric }, { label: p.selectionLabel, selection: p.selection })
        : legacyConfig(p.id, selections);
  if (!config) return undefined;
  return {
    ...config,
    bytes: p.bytes,
    bitsPerWeight: p.bitsPerWeight,
    ppl: p.ppl,
    windows: p.windows,
    tensors: p.tensors.map((t) => ({ name: t.name, layer: t.layer, relError: t.relError, label: t.type ? t.type : config.label })),
    quantizeMs: p.quantizeMs,
    evalMs: p.evalMs,
  };
}

/** The state in the current shape (unchanged when it already is). */
export function migrateSweepState(state: SweepState): SweepState {
  const legacy = state.points.some((p) => !('recipe' in p)) || state.gridIds.some((id) => !id.startsWith('r-'));
  if (!legacy) return state;
  const selections = state.request.axes.selections;
  const points = (state.points as unknown as LegacyPoint[]).flatMap((p) => ('recipe' in p ? [p as unknown as SweepPoint] : (migratePoint(p, selections) ?? [])));
  const gridIds = state.gridIds.flatMap((id) => (id.startsWith('r-') ? [id] : (legacyConfig(id, selections)?.id ?? [])));
  return { ...state, points, gridIds: [...new Set(gridIds)] };
}
