// Which files beside a model the CLI reads: links that leave the model's folder are skipped (a
// link is not a way to pull ~/.ssh into an output), links inside it and the Hugging Face cache's
// snapshots → blobs layout are followed, and a model path that is itself a link is taken as given.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { modelSources } from './node-files';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'studio-links-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function names(path: string): Promise<{ names: string[]; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { names: (await modelSources(path)).map((s) => s.name), stderr };
  } finally {
    spy.mockRestore();
  }
}

describe('modelSources and symbolic links', () => {
  it('skips a sibling link that leaves the folder, with a note, and follows one that stays inside', async () => {
    const folder = join(root, 'model');
    await mkdir(join(folder, 'data'), { recursive: true });
    await writeFile(join(root, 'secret.txt'), 'not a model');
    await writeFile(join(folder, 'model.onnx'), 'onnx');
    await writeFile(join(folder, 'data', 'weights.bin'), 'weights');
    await symlink(join(root, 'secret.txt'), join(folder, 'model.onnx_data'));
    await symlink(join('data', 'weights.bin'), join(folder, 'weights.bin'));
    const got = await names(join(folder, 'model.onnx'));
    expect(got.names).toEqual(['model.onnx', 'weights.bin']);
    expect(got.stderr).toContain(`skipped ${join(folder, 'model.onnx_data')}: a link to ${join(root, 'secret.txt')}, outside the model's folder`);
  });

  it("follows the Hugging Face cache's links from a snapshot into the repo's blobs", async () => {
    const repo = join(root, 'hub', 'models--org--tiny');
    const snapshot = join(repo, 'snapshots', 'abc123');
    await mkdir(join(repo, 'blobs'), { recursive: true });
    await mkdir(snapshot, { recursive: true });
    await writeFile(join(repo, 'blobs', 'f00d'), 'safetensors');
    await writeFile(join(repo, 'blobs', 'beef'), '{}');
    await symlink(join('..', '..', 'blobs', 'f00d'), join(snapshot, 'model.safetensors'));
    await symlink(join('..', '..', 'blobs', 'beef'), join(snapshot, 'config.json'));
    const got = await names(snapshot);
    expect(got.names.sort()).toEqual(['config.json', 'model.safetensors']);
    expect(got.stderr).toBe('');
  });

  it('takes a model path that is itself a link, wherever it points', async () => {
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere, { recursive: true });
    await writeFile(join(elsewhere, 'real.gguf'), 'gguf');
    const folder = join(root, 'links');
    await mkdir(folder, { recursive: true });
    await symlink(join(elsewhere, 'real.gguf'), join(folder, 'model.gguf'));
    const got = await names(join(folder, 'model.gguf'));
    expect(got.names).toEqual(['model.gguf']);
    expect(basename(got.names[0])).toBe('model.gguf');
  });
});
