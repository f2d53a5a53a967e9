// The keys of a JSON text's top-level object, in order and with repeats: JSON.parse keeps only
// the last of duplicate keys, but a safetensors header with a repeated tensor name is invalid
// (docs/FORMATS.md §5), so the reader needs to see them. Assumes the text already parsed.

/** Top-level object keys of valid JSON `text` (empty if the value is not an object). */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let i = 0;
  let expectKey = false;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      if (depth === 1 && expectKey) {
        keys.push(JSON.parse(text.slice(start, i)) as string);
        expectKey = false;
      }
      continue;
    }
    if (ch === '{' || ch === '[') {
      depth++;
      if (depth === 1 && ch === '{') expectKey = true;
    } else if (ch === '}' || ch === ']') {
      depth--;
    } else if (ch === ',' && depth === 1) {
      expectKey = true;
    }
    i++;
  }
  return keys;
}
