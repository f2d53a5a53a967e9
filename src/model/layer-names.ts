// Readable layer names from exporter node names and tensor names, shared by the format indexes:
// `/model/layers.0/self_attn/q_proj/MatMul` → `model.layers.0.self_attn.q_proj`.

/** Module path of an exporter node name (`/a/b/Op` → ['a', 'b']); undefined when not a path. */
export function nodeModulePath(nodeName: string): string[] | undefined {
  if (!nodeName.startsWith('/')) return undefined;
  const parts = nodeName.split('/').filter((p) => p.length > 0);
  if (parts.length < 2) return undefined;
  return parts.slice(0, -1);
}

/**
 * Drops a root component every path shares when the exporter wrapped the model once more
 * (torch.onnx names `LlamaForCausalLM` children `/model/model/…` and `/model/lm_head`):
 * stripped only if all paths start with it and some path repeats it right after.
 */
export function stripSharedRoot(paths: string[][]): string[][] {
  if (paths.length === 0) return paths;
  const root = paths[0][0];
  const shared = paths.every((p) => p.length >= 2 && p[0] === root);
  const repeated = paths.some((p) => p[1] === root);
  return shared && repeated ? paths.map((p) => p.slice(1)) : paths;
}

/** Layer name from a tensor name: `model.layers.0.mlp.up_proj.weight` → `model.layers.0.mlp.up_proj`. */
export function layerFromTensorName(name: string): string {
  return name.replace(/\.(weight|bias|scale|scales|qweight)$/, '');
}
