// A model the studio cannot build an ONNX graph of, for the CLI's refusals: tiny-llama's
// weights beside a config.json that says another architecture (gpt2). Test harness only.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '../../core/testing/fixtures';

/** Path of a model.safetensors whose config.json names model_type "gpt2". */
export function unbuildableCheckpoint(): string {
  const dir = mkdtempSync(join(tmpdir(), 'studio-unbuildable-'));
  copyFileSync(fixturePath('models', 'tiny-llama', 'model.safetensors'), join(dir, 'model.safetensors'));
  copyFileSync(fixturePath('models', 'tiny-llama', 'tokenizer.json'), join(dir, 'tokenizer.json'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_embd: 128 }));
  return join(dir, 'model.safetensors');
}
