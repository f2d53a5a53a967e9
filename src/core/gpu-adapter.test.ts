import { describe, expect, it } from 'vitest';
import { adapterName, isCpuAdapter } from './gpu-adapter';

describe('gpu adapter identity', () => {
  it('takes the browser flag, else known CPU rasterizers by name', () => {
    expect(isCpuAdapter(true, 'nvidia', 'hopper')).toBe(true);
    expect(isCpuAdapter(undefined, 'google', 'swiftshader')).toBe(true);
    expect(isCpuAdapter(false, 'mesa', '', 'llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isCpuAdapter(undefined, 'Microsoft', '', 'Microsoft Basic Render Driver')).toBe(true);
    expect(isCpuAdapter(false, 'nvidia', 'hopper', 'NVIDIA H200')).toBe(false);
    expect(isCpuAdapter(undefined, 'intel', 'gen-12lp', 'Intel(R) UHD Graphics 770 (Hardware warped)')).toBe(false);
  });

  it('names an adapter by description, else vendor and architecture', () => {
    expect(adapterName({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', isFallbackAdapter: false })).toBe('NVIDIA H200');
    expect(adapterName({ vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: true })).toBe('google swiftshader');
    expect(adapterName({ vendor: '', architecture: '', description: '', isFallbackAdapter: false })).toBe('GPU');
  });
});
