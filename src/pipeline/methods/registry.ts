// The prune and quantize methods a recipe can name, by id (DESIGN "The compression seam": "Method registry").
import type { PruneMethodId, PruneSpec, QuantizeMethodId, QuantizeSpec } from '../../core/recipe';
import { awqMethod } from './awq';
import { channelsMethod } from './channels';
import { ggmlMethod } from './ggml';
import { gptqMethod } from './gptq';
import { hqqMethod } from './hqq';
import { magnitudeMethod } from './magnitude';
import type { PruneMethod, QuantizeMethod } from './method';
import { rtnMethod } from './rtn';
import { sparseGptMethod } from './sparsegpt';
import { wandaMethod } from './wanda';

const METHODS: { [K in QuantizeMethodId]: QuantizeMethod<Extract<QuantizeSpec, { method: K }>> } = {
  rtn: rtnMethod,
  ggml: ggmlMethod,
  gptq: gptqMethod,
  hqq: hqqMethod,
  awq: awqMethod,
};

export function isQuantizeMethodId(id: unknown): id is QuantizeMethodId {
  return typeof id === 'string' && Object.hasOwn(METHODS, id);
}

/** The module behind a spec. */
export function methodOf<S extends QuantizeSpec>(spec: S): QuantizeMethod<S> {
  return METHODS[spec.method] as unknown as QuantizeMethod<S>;
}

/** The module for an id (the parser's entry). */
export function methodById(id: QuantizeMethodId): QuantizeMethod {
  return METHODS[id] as unknown as QuantizeMethod;
}

const PRUNE: { [K in PruneMethodId]: PruneMethod<Extract<PruneSpec, { method: K }>> } = {
  magnitude: magnitudeMethod,
  wanda: wandaMethod,
  sparsegpt: sparseGptMethod,
  channels: channelsMethod,
};

export function isPruneMethodId(id: unknown): id is PruneMethodId {
  return typeof id === 'string' && Object.hasOwn(PRUNE, id);
}

export function pruneMethodOf<S extends PruneSpec>(spec: S): PruneMethod<S> {
  return PRUNE[spec.method] as unknown as PruneMethod<S>;
}

export function pruneMethodById(id: PruneMethodId): PruneMethod {
  return PRUNE[id] as unknown as PruneMethod;
}
