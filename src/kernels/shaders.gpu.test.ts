// Every kernel under shaders/ compiles (getCompilationInfo has no errors) once the common/ helpers
// its header names are prepended, exactly as the wrappers do it (src/gpu/wgsl.ts).
import { describe, expect, it } from 'vitest';
import { acquireBrowserGpu } from '../gpu/browser-gpu';
import { gpuForTests } from '../gpu/testing';
import { assertCompiles, helpersNamedIn, withHelpers } from '../gpu/wgsl';

const files = import.meta.glob('../../shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;
const byName = Object.fromEntries(Object.entries(files).map(([path, text]) => [path.replace(/^.*\/shaders\//, ''), text]));
const kernels = Object.keys(byName).filter((name) => !name.startsWith('common/'));
const { ctx, skipReason } = await gpuForTests(acquireBrowserGpu);

describe('shaders compile', () => {
  it('finds the kernels and their helpers', () => {
    expect(kernels).toContain('quant/rtn.wgsl');
    expect(kernels).toContain('reduce/sum-pairs.wgsl');
    for (const name of kernels) {
      for (const helper of helpersNamedIn(byName[name])) expect(Object.keys(byName), `${name} names ${helper}`).toContain(helper);
    }
  });

  it.each(Object.keys(byName))('%s', async (name) => {
    if (!ctx) return console.warn(skipReason);
    // A common/ file compiles with the helpers it names itself (group-params uses div-rn and round-half-away).
    const code = withHelpers(byName[name], byName);
    await assertCompiles(ctx.device, name, code);
  });
});
