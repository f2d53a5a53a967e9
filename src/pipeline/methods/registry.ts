// The quantize methods a recipe can name, by id (DESIGN "The compression seam": "Method registry").
import type { QuantizeMethodId, QuantizeSpec } from '../../core/recipe';
import { ggmlMethod } from './ggml';
import type { QuantizeMethod } from './method';
import { rtnMethod } from './rtn';

const METHODS: { [K in QuantizeMethodId]: QuantizeMethod<Extract<QuantizeSpec, { method: K }>> } = {
  rtn: rtnMethod,
  ggml: ggmlMethod,
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
