// A GPTQ-packed checkpoint from the page: the sample, safetensors output, the GPTQ 4-bit quick
// recipe; the plan says how the weights are stored; the download is the planned size and holds
// qweight/qzeros/scales/g_idx (read here in Node by the studio's reader, which dequantizes them
// back to what the page measured); config.json downloads beside it with GPTQ's quantization_config.
import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { blobSource } from '../src/core/byte-source';
import { openSafetensors } from '../src/formats/safetensors/safetensors-reader';
import { openModel } from '../src/pipeline/open-model';
import { loadSample } from './page-steps';

test('the sample as a GPTQ-packed 4-bit safetensors checkpoint, with its config.json', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);
  await page.getByTestId('format-safetensors').check();
  await page.getByTestId('quick-recipe').selectOption('safetensors-gptq-4bit');
  await expect(page.getByTestId('plan-line')).toHaveAttribute('data-planning', 'false');
  await expect(page.getByTestId('plan-line')).toContainText('28 of 30 tensors quantized');
  const planned = await page.getByTestId('plan-output-bytes').getAttribute('title');
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-panel')).toContainText('stored GPTQ-packed');

  const downloading = page.waitForEvent('download');
  await page.getByTestId('result-panel').getByTestId('download-button').click();
  const download = await downloading;
  const weights = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(weights);
  const configDownload = page.waitForEvent('download');
  await page.getByTestId('result-panel').getByTestId('config-download').click();
  const config = await configDownload;
  expect(config.suggestedFilename()).toBe('config.json');
  const configPath = testInfo.outputPath('config.json');
  await config.saveAs(configPath);

  const file = await openSafetensors(blobSource(await openAsBlob(weights), weights));
  expect(`${file.source.byteLength.toLocaleString('en-US')} bytes`).toBe(planned);
  const header = (name: string) => file.tensors.find((t) => t.name === name);
  expect(header('model.layers.0.self_attn.q_proj.qweight')).toMatchObject({ dtype: 'I32', shape: [16, 128] });
  expect(header('model.layers.0.self_attn.q_proj.scales')).toMatchObject({ dtype: 'F16', shape: [1, 128] });
  expect(header('model.layers.0.self_attn.q_proj.weight')).toBeUndefined();
  expect(header('lm_head.weight')).toMatchObject({ dtype: 'F16' });
  const q = JSON.parse(await readFile(configPath, 'utf8')).quantization_config;
  expect(q).toMatchObject({ quant_method: 'gptq', checkpoint_format: 'gptq', bits: 4, group_size: 128, sym: true, desc_act: false });

  // The studio's own reader opens it as a model: 28 GPTQ-packed weights, read back dequantized.
  const reopened = await openModel([blobSource(await openAsBlob(weights), 'model.safetensors'), blobSource(await openAsBlob(configPath), 'config.json')]);
  expect(reopened.index.tensors.filter((t) => t.dtype === 'gptq4')).toHaveLength(28);
  expect(pageErrors).toEqual([]);
});
