// GPTQ in the page, end to end (calibration with wasm, the Hessians, inverse Cholesky and solve on
// WebGPU / SwiftShader): the sample's quick rule switched to GPTQ 3-bit/128 with act-order and a
// short calibration; the result names the method and the calibration tokens; its perplexity is
// below round-to-nearest's on the same grid (same size); and the download's MatMulNBits file runs
// in onnxruntime-node with the perplexity the page showed (within 0.5 %). Then a sweep crossing RTN
// and GPTQ on one grid puts both points on the size chart, one marker shape per method. And GPTQ
// on a llama.cpp type for GGUF output: the rule's type select (a K-quant refused at the rule for
// rows it cannot fill), the download's Q4_0 blocks at the planned size.
import { openAsBlob } from 'node:fs';
import { expect, test } from '@playwright/test';
import { blobSource } from '../src/core/byte-source';
import { attrInt } from '../src/formats/onnx/onnx-model';
import { openGguf, readGgufTensor } from '../src/formats/gguf/gguf-reader';
import { openOnnx } from '../src/formats/onnx/onnx-reader';
import { dequantizeGgmlRef } from '../src/quant/ggml/ggml-codec';
import { nodePerplexity } from './onnx-check';
import { chooseOnly, compressAndScore, loadSample, downloadResult, useWasmEvaluation, BIT_CHIPS, BLOCK_CHIPS } from './page-steps';

const W = 4;

test('GPTQ 3-bit/128 act-order on the sample: calibrates, beats round-to-nearest, and the download runs with the shown perplexity', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);
  await useWasmEvaluation(page, W);

  // Round-to-nearest first, on the grid GPTQ will use.
  await page.getByTestId('rule-0-bits').selectOption('3');
  await page.getByTestId('rule-0-group').selectOption('128');
  const rtnPpl = (await compressAndScore(page)).ppl;
  await expect(page.getByTestId('result-scheme')).toContainText('rtn 3-bit/128 asym');

  // The same rule as GPTQ: the grid stays, calibration settings appear.
  await page.getByTestId('rule-0-action').selectOption('gptq');
  await expect(page.getByTestId('rule-0-bits')).toHaveValue('3');
  await expect(page.getByTestId('rule-0-group')).toHaveValue('128');
  await page.getByTestId('rule-0-act-order').check();
  await expect(page.getByTestId('calibration-fields')).toBeVisible();
  await page.getByTestId('calibration-windows').fill('4');
  await expect(page.getByTestId('calibration-tokens')).toContainText('1,024 calibration tokens');
  const gptqPpl = (await compressAndScore(page)).ppl;
  await expect(page.getByTestId('result-scheme')).toContainText('gptq 3-bit/128 asym act-order');
  await expect(page.getByTestId('result-calibration')).toContainText('1,024 tokens');
  console.log(`sample W=${W}: rtn 3-bit/128 ${rtnPpl}, gptq 3-bit/128 act-order (4 windows) ${gptqPpl}`);
  expect(gptqPpl).toBeLessThan(rtnPpl);
  // KL divergence from the original, measured on the same windows.
  const kl = page.getByTestId('result-kl');
  await expect(kl).toContainText('top-1');
  expect(Number(await kl.getAttribute('data-kl'))).toBeGreaterThan(0);
  expect(Number(await kl.getAttribute('data-top1'))).toBeGreaterThan(0.5);

  const { path: exported, name } = await downloadResult(page, testInfo);
  const onnx = await openOnnx([blobSource(await openAsBlob(exported), name)]);
  const nbits = onnx.graph.nodes.filter((n) => n.opType === 'MatMulNBits');
  expect(nbits).toHaveLength(29);
  for (const n of nbits) {
    expect(attrInt(n, 'bits', 0)).toBe(4); // 3-bit codes in 4-bit containers
    expect(attrInt(n, 'block_size', 0)).toBe(128);
    expect(n.inputs.length).toBeLessThanOrEqual(4); // no group index (g_idx): act-order kept the groups
  }
  const nodePpl = await nodePerplexity(exported, W);
  console.log(`gptq download: page ${gptqPpl}, onnxruntime-node ${nodePpl} (W=${W})`);
  expect(Math.abs(nodePpl / gptqPpl - 1)).toBeLessThan(0.005);
  expect(pageErrors).toEqual([]);
});

test('a sweep crosses RTN and GPTQ on one grid: both points on the size chart, told apart by marker', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);
  await page.getByTestId('eval-backend-wasm').check();
  await page.getByTestId('eval-windows').selectOption('4');
  await chooseOnly(page, BIT_CHIPS, ['sweep-bits-3']);
  await chooseOnly(page, BLOCK_CHIPS, ['sweep-block-128']);
  await chooseOnly(page, ['sweep-method-rtn', 'sweep-method-gptq'], ['sweep-method-rtn', 'sweep-method-gptq']);
  await page.getByTestId('sweep-calibration-windows').fill('2');
  await expect(page.getByTestId('sweep-grid-size')).toContainText('2 points');
  await page.getByTestId('sweep-start').click();

  const chart = page.getByTestId('sweep-chart');
  await expect(chart.getByTestId('sweep-point')).toHaveCount(2, { timeout: 240_000 });
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done');
  const rtn = chart.locator('[data-testid="sweep-point"][data-method="rtn"]');
  const gptq = chart.locator('[data-testid="sweep-point"][data-method="gptq"]');
  await expect(rtn).toHaveCount(1);
  await expect(gptq).toHaveCount(1);
  await expect(chart.getByTestId('method-key-item')).toHaveText(['RTN', 'GPTQ']);
  console.log(`sweep W=4: rtn 3-bit/128 ${await rtn.getAttribute('data-ppl')}, gptq 3-bit/128 (2 windows) ${await gptq.getAttribute('data-ppl')}`);
  // The same points against KL divergence from the original; the table has both.
  await page.getByTestId('sweep-metric-kl').check();
  await expect(page.locator('#sweep-results-heading')).toHaveText('Size vs KL divergence');
  await expect(chart.getByTestId('sweep-point')).toHaveCount(2);
  await expect(chart.getByTestId('reference-line')).toHaveCount(0);
  for (const cell of await page.getByTestId('sweep-row-kl').all()) await expect(cell).toContainText('top-1');
  expect(pageErrors).toEqual([]);
});

test('GPTQ on a llama.cpp type for GGUF: the rule takes a type, and the download holds that type\'s blocks at the planned size', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);
  await page.getByTestId('format-gguf').check();
  await page.getByTestId('quick-recipe').selectOption('gguf-f16');
  await page.getByTestId('add-rule').click(); // down_proj
  await page.getByTestId('rule-0-action').selectOption('gptq');
  await expect(page.getByTestId('rule-0-type')).toHaveValue('Q4_K');
  await expect(page.getByTestId('rule-0-bits')).toHaveCount(0);
  // tiny-llama's down_proj rows of 384 do not fill 256-element K-quant blocks: said at the rule.
  await expect(page.getByTestId('rule-0-error')).toContainText('its rows of 384 are not a multiple of the Q4_K block of 256');
  await page.getByTestId('rule-0-type').selectOption('Q4_0');
  await page.getByTestId('calibration-windows').fill('4');
  await expect(page.getByTestId('plan-line')).toHaveAttribute('data-planning', 'false');
  await expect(page.getByTestId('plan-error')).toHaveCount(0);
  const planned = await page.getByTestId('plan-output-bytes').getAttribute('title');
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-panel')).toContainText('gptq Q4_0', { timeout: 240_000 });

  const { path: exported } = await downloadResult(page, testInfo);
  const gguf = await openGguf(blobSource(await openAsBlob(exported), exported));
  expect(`${gguf.source.byteLength.toLocaleString('en-US')} bytes`).toBe(planned);
  const types = new Map(gguf.tensors.map((t) => [t.name, t.type.name]));
  for (let l = 0; l < 4; l++) expect(types.get(`blk.${l}.ffn_down.weight`)).toBe('Q4_0');
  expect(types.get('blk.0.attn_q.weight')).toBe('F16');
  // Every block decodes (the studio's reader, the llama.cpp layout) to finite values.
  const down = await readGgufTensor(gguf, 'blk.0.ffn_down.weight');
  expect(dequantizeGgmlRef('Q4_0', down).every(Number.isFinite)).toBe(true);
  expect(pageErrors).toEqual([]);
});
