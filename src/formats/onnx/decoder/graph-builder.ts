// A small in-memory ONNX graph under construction: nodes with unique output names, constants,
// and weight initializers whose bytes are produced only when the file is streamed (so a model
// is never held whole: DESIGN decision 2). Written by hand because no JavaScript library builds
// ONNX graphs (onnx/onnxscript are Python); it sits on the studio's own protobuf encoders.
import type { ByteSource } from '../../../core/byte-source';
import { type AttrValue, type NodeSpec } from '../onnx-encode';
import { OnnxDataType } from '../onnx-model';

/** A weight initializer: its bytes in memory, or a `load` called once, while the file is streamed. */
export interface InitializerSpec {
  name: string;
  dataType: number;
  dims: number[];
  byteLength: number;
  bytes?: Uint8Array;
  load?: () => Promise<Uint8Array>;
}

export interface ValueSpec {
  name: string;
  elemType: number;
  dims: (number | string)[];
}

const ELEMENT_BYTES: Record<number, number> = { [OnnxDataType.FLOAT]: 4, [OnnxDataType.FLOAT16]: 2, [OnnxDataType.INT64]: 8 };

export function elementBytes(dataType: number): number {
  const n = ELEMENT_BYTES[dataType];
  if (!n) throw new Error(`no element size for ONNX data type ${dataType}`);
  return n;
}

export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: InitializerSpec[] = [];
  readonly inputs: ValueSpec[] = [];
  readonly outputs: ValueSpec[] = [];
  private readonly taken = new Set<string>();
  private readonly constCache = new Map<string, string>();

  private unique(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  input(name: string, elemType: number, dims: (number | string)[]): string {
    this.taken.add(name);
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  output(value: string, elemType: number, dims: (number | string)[]): void {
    this.outputs.push({ name: value, elemType, dims });
  }

  /**
   * Adds one node and returns its output. `scope` is the module path (`/model/layers.0/mlp`),
   * giving exporter-style node names that the index turns into layer names; `output` names the
   * result (a graph output such as `logits`) instead of a generated name.
   */
  op(opType: string, inputs: string[], scope: string, attributes?: Record<string, AttrValue>, output?: string, domain?: string): string {
    const name = this.unique(`${scope}/${opType}`);
    const out = output ?? this.unique(`${name}_output_0`);
    if (output) this.taken.add(output);
    this.nodes.push({ name, opType, inputs, outputs: [out], attributes, domain });
    return out;
  }

  /** A node with several outputs; `used[i]` false leaves output i unnamed (an optional output not produced). */
  opOutputs(opType: string, inputs: string[], scope: string, used: boolean[], attributes?: Record<string, AttrValue>, domain?: string): string[] {
    const name = this.unique(`${scope}/${opType}`);
    const outputs = used.map((u, i) => (u ? this.unique(`${name}_output_${i}`) : ''));
    this.nodes.push({ name, opType, inputs, outputs, attributes, domain });
    return outputs;
  }

  weight(spec: InitializerSpec): string {
    this.taken.add(spec.name);
    this.initializers.push(spec);
    return spec.name;
  }

  /** A Constant node's output (how exporters write small constants: they are not initializers, so no index lists them). */
  private constant(base: string, dataType: number, dims: number[], raw: Uint8Array): string {
    const out = this.unique(base);
    this.nodes.push({ name: this.unique(`/Constant_${out}`), opType: 'Constant', inputs: [], outputs: [out], attributes: { value: { tensor: { dataType, dims, raw } } } });
    return out;
  }

  /** An int64 constant (axes, shapes, slice bounds), 1-D or (`scalar`) dims [], shared between uses. */
  int64(values: number[], scalar = false): string {
    const key = `i64:${scalar}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    const name = this.constant(`const_i64_${values.join('_').replace(/-/g, 'm')}`, OnnxDataType.INT64, scalar ? [] : [values.length], bytes);
    this.constCache.set(key, name);
    return name;
  }

  /** A float constant of `dataType` with the given little-endian bytes. */
  floats(base: string, dataType: number, dims: number[], bytes: Uint8Array): string {
    return this.constant(base, dataType, dims, bytes);
  }
}

/**
 * A ByteSource over bytes that exist only on demand: the first read calls `load` and keeps the
 * result until the last byte has been read, so a streamed weight is held once, briefly.
 */
export function deferredSource(name: string, byteLength: number, load: () => Promise<Uint8Array>): ByteSource {
  let held: Uint8Array | undefined;
  let served = 0;
  return {
    name,
    byteLength,
    async read(byteOffset, length) {
      held ??= await load();
      if (held.byteLength !== byteLength) throw new Error(`${name}: produced ${held.byteLength} bytes, expected ${byteLength}`);
      const out = held.slice(byteOffset, byteOffset + length);
      served += length;
      if (served >= byteLength) {
        held = undefined;
        served = 0;
      }
      return out;
    },
  };
}
