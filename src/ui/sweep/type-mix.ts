// What a llama.cpp point's file really holds: the tensor types after llama.cpp's fallbacks (a row
// that is not a multiple of a k-quant's 256 falls back to Q5_0, Q8_0 …), most used first —
// "Q5_0 ×25, Q8_0 ×5" where the asked type was Q4_K_M (the tensors' labels, "ggml Q5_0", without
// the "ggml " every one of them has). The sweep table shows it beside the name.

export function typeMix(tensors: readonly { label?: string }[]): string {
  const counts = new Map<string, number>();
  for (const t of tensors) {
    if (!t.label) continue;
    const type = t.label.replace(/^ggml /, '');
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([type, n]) => `${type} ×${n}`)
    .join(', ');
}
