// The model key is the content: models that differ in one weight byte past the header get
// different keys (the old name/size/header key gave them one), renamed copies share one, and
// chunk boundaries and file splits are part of it.
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../core/byte-source';
import { legacyModelKey, modelKey } from './model-key';

const CHUNK = 8 * 1024 * 1024;
const bytes = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff);

describe('modelKey', () => {
  it('differs for one changed byte far past the header, where the legacy key collides', async () => {
    const a = bytes(CHUNK + 1000, 1);
    const b = a.slice();
    b[CHUNK + 999] ^= 0x7f; // a NaN in the last tensor of the second chunk
    const [ka, kb] = [await modelKey([bytesSource(a, 'model.onnx')]), await modelKey([bytesSource(b, 'model.onnx')])];
    expect(ka).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(kb).not.toBe(ka);
    expect(await legacyModelKey(bytesSource(b, 'model.onnx'))).toBe(await legacyModelKey(bytesSource(a, 'model.onnx')));
  });

  it('ignores the name, and counts every file and where it splits', async () => {
    const whole = bytes(3000, 2);
    const key = await modelKey([bytesSource(whole, 'model.onnx')]);
    expect(await modelKey([bytesSource(whole, 'renamed.onnx')])).toBe(key);
    expect(await modelKey([bytesSource(whole.subarray(0, 1000), 'model.onnx'), bytesSource(whole.subarray(1000), 'model.onnx.data')])).not.toBe(key);
    expect(await modelKey([bytesSource(whole, 'model.onnx'), bytesSource(new Uint8Array(0), 'empty.data')])).not.toBe(key);
  });
});
