// The CLI's contract for bad usage and bad input: exit 2 on usage errors, 1 on bad input, with
// a one-line reason on stderr.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath, missingFixtureReason } from '../core/testing/fixtures';
import { runCli } from './run-cli';

const TINY = ['models', 'tiny-llama', 'onnx', 'model.onnx'];
const skip = missingFixtureReason(TINY);
const tiny = () => fixturePath(...TINY);
const tmp = mkdtempSync(join(tmpdir(), 'studio-cli-'));

describe('studio CLI usage errors (exit 2)', () => {
  it.each([
    [[], 'usage'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['inspect'], 'inspect takes one MODEL path'],
    [['quantize', 'm.onnx', '--bits', '4'], '-o OUT is required'],
    [['quantize', 'm.onnx', '-o', 'x.onnx'], '--bits is required'],
    [['quantize', 'm.onnx', '-o', 'x.onnx', '--bits', '5'], '--bits must be 2, 3, 4 or 8'],
    [['quantize', 'm.onnx', '-o', 'x.onnx', '--bits', '4', '--block', '48'], '--block must be one of 16, 32, 64, 128, 256'],
    [['quantize', 'm.onnx', '-o', 'x.onnx', '--bits', '4', '--block', '32', '--per-channel'], 'either --block N or --per-channel'],
    [['quantize', 'm.onnx', '-o', 'x.onnx', '--bits', '4', '--colour'], "Unknown option '--colour'"],
    [['quantize', 'm.onnx', '-o', 'x.onnx', '--bits', '4', '--include', '('], '--include is not a valid regular expression'],
  ])('%j → exit 2', async (args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toContain(message);
  });
});

describe.skipIf(skip)(`studio CLI bad input (exit 1)${skip ? ` — skipped: ${skip}` : ''}`, () => {
  it('rejects a file that is not ONNX', async () => {
    const path = join(tmp, 'notes.onnx');
    writeFileSync(path, 'these are my notes, not a model\n');
    const r = await runCli(['inspect', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^studio: error: notes\.onnx: not an ONNX model/m);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('rejects a truncated ONNX file', async () => {
    const { readFileSync } = await import('node:fs');
    const path = join(tmp, 'truncated.onnx');
    writeFileSync(path, readFileSync(tiny()).subarray(0, 500_000));
    const r = await runCli(['inspect', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/truncated/);
  });

  it('says so when nothing matches the selection', async () => {
    const r = await runCli(['quantize', tiny(), '-o', join(tmp, 'none.onnx'), '--bits', '4', '--include', 'no_such_layer']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing to quantize');
  });

  it('reports a missing model path', async () => {
    const r = await runCli(['inspect', join(tmp, 'absent.onnx')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no such file or folder');
  });

  it('without a WebGPU adapter, says how to get one and compresses with the CPU references', async () => {
    const out = join(tmp, 'x.onnx');
    const r = await runCli(['quantize', tiny(), '-o', out, '--bits', '4', '--json'], {
      VK_ICD_FILENAMES: join(tmp, 'no-such-driver.json'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('WebGPU is not available');
    expect(r.stderr).toContain('compressing with the CPU references instead');
    const report = JSON.parse(r.stdout);
    expect(report.outputBytes).toBe(statSync(out).size);
    const insisted = await runCli(['quantize', tiny(), '-o', out, '--bits', '4', '--device', 'gpu'], { VK_ICD_FILENAMES: join(tmp, 'no-such-driver.json') });
    expect(insisted.code).toBe(1);
    expect(insisted.stderr).toContain('WebGPU is not available');
  });

  it('--device: auto takes the CPU references over a CPU-fallback adapter and says so; gpu and cpu write the same bytes', async () => {
    const outs = { auto: join(tmp, 'auto.onnx'), gpu: join(tmp, 'gpu.onnx'), cpu: join(tmp, 'cpu.onnx') };
    const runs = await Promise.all(Object.entries(outs).map(([device, out]) => runCli(['quantize', tiny(), '-o', out, '--bits', '4', '--device', device])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const [auto, gpu, cpu] = runs;
    expect(cpu.stdout).toMatch(/ on CPU reference$/m);
    const adapter = / on (.+)$/m.exec(gpu.stdout)![1];
    expect(adapter).not.toBe('CPU reference');
    if (/swiftshader|llvmpipe|lavapipe/i.test(adapter)) {
      // A CPU fallback (SwiftShader here, without a GPU): auto leaves it for the references.
      expect(auto.stderr).toMatch(/the only WebGPU adapter \(.+\) emulates a GPU on the CPU, where the CPU references are faster/);
      expect(auto.stdout).toMatch(/ on CPU reference$/m);
    } else {
      expect(auto.stdout).toContain(` on ${adapter}`);
    }
    expect(cpu.stderr).not.toContain('WebGPU');
    expect(Buffer.compare(readFileSync(outs.gpu), readFileSync(outs.cpu))).toBe(0);
    const bad = await runCli(['quantize', tiny(), '-o', outs.cpu, '--bits', '4', '--device', 'tpu']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--device must be auto, gpu or cpu; got "tpu"');
  });
});
