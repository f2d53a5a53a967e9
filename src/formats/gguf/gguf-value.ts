// GGUF metadata values (docs/FORMATS.md §4.1): the 13 `gguf_type` ids, their byte sizes, and the
// typed in-memory form the reader produces and the writer consumes. Every value keeps its
// stored type, so a read → write round trip reproduces the file's metadata exactly.

/** `gguf_type` ids as stored (i32) in a KV pair. */
export const GGUF_VALUE_TYPE = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type GgufValueTypeName = keyof typeof GGUF_VALUE_TYPE;
/** Types an array element (or a scalar value) may have: everything but `array`. */
export type GgufScalarType = Exclude<GgufValueTypeName, 'array'>;
export type GgufNumberType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64';
export type GgufBigIntType = 'u64' | 'i64';

const NAMES_BY_ID: readonly GgufValueTypeName[] = [
  'u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64',
];

/** The type name for a stored id, or undefined if the id is not a `gguf_type`. */
export function ggufValueTypeName(id: number): GgufValueTypeName | undefined {
  return NAMES_BY_ID[id];
}

/** Bytes of one element of a fixed-size type; strings are 8 + their length (0 here). */
export const GGUF_SCALAR_BYTES: Record<GgufScalarType, number> = {
  u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, string: 0, u64: 8, i64: 8, f64: 8,
};

/** Arrays keep a typed form per element type (numbers in typed arrays, 64-bit ints as BigInt). */
export interface GgufArrayValues {
  u8: Uint8Array;
  i8: Int8Array;
  u16: Uint16Array;
  i16: Int16Array;
  u32: Uint32Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
  u64: BigUint64Array;
  i64: BigInt64Array;
  bool: boolean[];
  string: string[];
}

export type GgufArray = {
  [K in GgufScalarType]: { type: 'array'; elementType: K; value: GgufArrayValues[K] };
}[GgufScalarType];

export type GgufValue =
  | { type: GgufNumberType; value: number }
  | { type: GgufBigIntType; value: bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | GgufArray;

/** Ordered key → value map, as stored in the file. */
export type GgufMetadata = Map<string, GgufValue>;

/** Convenience constructors for writers (llama.cpp checks scalar types exactly: FORMATS §4.6). */
export const gguf = {
  u32: (value: number): GgufValue => ({ type: 'u32', value }),
  i32: (value: number): GgufValue => ({ type: 'i32', value }),
  f32: (value: number): GgufValue => ({ type: 'f32', value }),
  bool: (value: boolean): GgufValue => ({ type: 'bool', value }),
  string: (value: string): GgufValue => ({ type: 'string', value }),
  strings: (value: string[]): GgufValue => ({ type: 'array', elementType: 'string', value }),
  f32s: (value: Float32Array): GgufValue => ({ type: 'array', elementType: 'f32', value }),
  i32s: (value: Int32Array): GgufValue => ({ type: 'array', elementType: 'i32', value }),
};

/** Number of elements of an array value. */
export function ggufArrayLength(v: GgufArray): number {
  return v.value.length;
}
