// WGSL sources with their helpers (STYLE.md "One kernel, one stem"): a kernel's header names the
// common/ files it needs on one line, `// Helpers: common/a.wgsl, common/b.wgsl`; the wrapper
// prepends exactly those (no other text substitution), and a test compiles every kernel this way.

const HELPERS_LINE = /^\/\/\s*Helpers:\s*(.+)$/m;

/** Helper paths (relative to shaders/) a kernel's header names, in order. */
export function helpersNamedIn(source: string): string[] {
  const m = HELPERS_LINE.exec(source);
  if (!m || /^none\b/i.test(m[1].trim())) return [];
  return m[1]
    .split(',')
    .map((s) => s.trim().replace(/\.$/, ''))
    .filter((s) => s.length > 0);
}

/** `source` with the helpers its header names prepended; `helpers` maps 'common/x.wgsl' → text. */
export function withHelpers(source: string, helpers: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  for (const name of helpersNamedIn(source)) {
    const text = helpers[name];
    if (text === undefined) throw new Error(`Internal error: WGSL helper ${name} is named in a header but was not given`);
    parts.push(text);
  }
  parts.push(source);
  return parts.join('\n');
}

/** Compiles `code` and throws with every error line when the compiler reports errors. */
export async function assertCompiles(device: GPUDevice, label: string, code: string): Promise<GPUShaderModule> {
  const module = device.createShaderModule({ label, code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    const lines = errors.map((m) => `${label}:${m.lineNum}:${m.linePos}: ${m.message}`);
    throw new Error(`Internal error: WGSL does not compile:\n${lines.join('\n')}`);
  }
  return module;
}
