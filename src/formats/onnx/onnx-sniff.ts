// Recognizes the start of an ONNX ModelProto and, when it is not one, says in words what the
// file looks like (DESIGN decision 6: errors are for people).

/** First-record tags a ModelProto can start with (field, wire type as onnx.proto defines them). */
const MODEL_FIRST_TAGS = new Set([
  1 * 8 + 0, // ir_version
  2 * 8 + 2, 3 * 8 + 2, 4 * 8 + 2, // producer_name, producer_version, domain
  5 * 8 + 0, // model_version
  6 * 8 + 2, 7 * 8 + 2, 8 * 8 + 2, // doc_string, graph, opset_import
  14 * 8 + 2, 20 * 8 + 2, 25 * 8 + 2, 26 * 8 + 2, // metadata_props, training_info, functions, configuration
]);

/** True when the first bytes decode as a known ModelProto field tag. */
export function isModelProtoStart(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let tag = head[0] & 0x7f;
  if (head[0] >= 0x80) {
    if (head.length < 2 || head[1] >= 0x80) return false;
    tag |= head[1] << 7;
  }
  return MODEL_FIRST_TAGS.has(tag);
}

const startsWith = (b: Uint8Array, sig: number[]) => sig.every((v, i) => b[i] === v);
const ascii = (s: string) => [...s].map((ch) => ch.charCodeAt(0));

/** What the file looks like, for a "not an ONNX model" message. */
export function describeNonOnnx(head: Uint8Array): string {
  const hex = [...head.subarray(0, 8)].map((v) => v.toString(16).padStart(2, '0')).join(' ');
  let kind = 'unrecognized bytes';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) kind = 'a PNG image';
  else if (startsWith(head, [0xff, 0xd8, 0xff])) kind = 'a JPEG image';
  else if (startsWith(head, ascii('GGUF'))) kind = 'a GGUF model (open it as GGUF)';
  else if (startsWith(head, ascii('PK\x03\x04'))) kind = 'a ZIP archive (unpack it first)';
  else if (startsWith(head, [0x1f, 0x8b])) kind = 'a gzip archive (unpack it first)';
  else if (startsWith(head, ascii('%PDF'))) kind = 'a PDF document';
  else if (head.length > 8 && head[8] === 0x7b && head[4] === 0 && head[5] === 0 && head[6] === 0 && head[7] === 0) {
    kind = 'a safetensors file (open it as safetensors)';
  } else if (head.every((v) => v === 0x09 || v === 0x0a || v === 0x0d || (v >= 0x20 && v !== 0x7f))) {
    kind = 'a text file';
  }
  return `it starts with bytes ${hex}, which looks like ${kind}`;
}
