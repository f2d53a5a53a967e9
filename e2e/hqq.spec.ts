// HQQ in the page, end to end (the zero-point solver on WebGPU / SwiftShader, scored with wasm):
// the sample's quick rule switched to HQQ 2-bit/32 — no calibration asked for — scored beside
// round-to-nearest on the same grid (printed: on the sample HQQ does not beat it, see README
// "Quality"); the plan says where float zero points run; the
// download's MatMulNBits carry float zero points and run in onnxruntime-node with the perplexity
// the page showed (within 0.5 %). Integer zero points pack as codes and drop the note.
import { openAsBlob } from 'node:fs';
import { expect, test } from '@playwright/test';
import { blobSource } from '../src/core/byte-source';
import { openOnnx } from '../src/formats/onnx/onnx-reader';
import { nodePerplexity } from './onnx-check';
import { compressAndScore, loadSample, downloadResult, useWasmEvaluation } from './page-steps';

const W = 4;

test('HQQ 2-bit/32 on the sample: no calibration, float zero points in the download, which runs with the shown perplexity', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);
  await useWasmEvaluation(page, W);

  await page.getByTestId('rule-0-bits').selectOption('2');
  await page.getByTestId('rule-0-group').selectOption('32');
  const rtnPpl = (await compressAndScore(page)).ppl;
  await expect(page.getByTestId('result-scheme')).toContainText('rtn 2-bit/32 asym');

  // The same grid as HQQ: no calibration settings, float zero points by default, and the plan says where they run.
  await page.getByTestId('rule-0-action').selectOption('hqq');
  await expect(page.getByTestId('rule-0-bits')).toHaveValue('2');
  await expect(page.getByTestId('rule-0-group')).toHaveValue('32');
  await expect(page.getByTestId('rule-0-zero-point')).toHaveValue('float');
  await expect(page.getByTestId('calibration-fields')).toHaveCount(0);
  await expect(page.getByTestId('plan-note').filter({ hasText: 'float zero points (HQQ)' })).toBeVisible();
  const hqqPpl = (await compressAndScore(page)).ppl;
  await expect(page.getByTestId('result-scheme')).toContainText('hqq 2-bit/32');
  console.log(`sample W=${W}: rtn 2-bit/32 ${rtnPpl}, hqq 2-bit/32 ${hqqPpl}`);
  expect(hqqPpl).not.toBe(rtnPpl);

  const { path: exported, name } = await downloadResult(page, testInfo);
  expect(name).toContain('hqq-q2-b32');
  const onnx = await openOnnx([blobSource(await openAsBlob(exported), name)]);
  const nbits = onnx.graph.nodes.filter((n) => n.opType === 'MatMulNBits');
  expect(nbits).toHaveLength(29);
  for (const n of nbits) {
    const [scales, zeros] = [onnx.initializerByName.get(n.inputs[2])!, onnx.initializerByName.get(n.inputs[3])!];
    expect([zeros.dtype, zeros.dims]).toEqual([scales.dtype, scales.dims]);
  }
  const nodePpl = await nodePerplexity(exported, W);
  console.log(`hqq download: page ${hqqPpl}, onnxruntime-node ${nodePpl} (W=${W})`);
  expect(Math.abs(nodePpl / hqqPpl - 1)).toBeLessThan(0.005);

  // Integer zero points: the note goes, the sizes shrink to rtn's.
  await page.getByTestId('rule-0-zero-point').selectOption('integer');
  await expect(page.getByTestId('plan-line')).toHaveAttribute('data-planning', 'false');
  await expect(page.getByTestId('plan-note').filter({ hasText: 'float zero points (HQQ)' })).toHaveCount(0);
  // 8-bit takes integer zero points only.
  await page.getByTestId('rule-0-zero-point').selectOption('float');
  await page.getByTestId('rule-0-bits').selectOption('8');
  await expect(page.getByTestId('rule-0-zero-point')).toHaveValue('integer');
  expect(pageErrors).toEqual([]);
});
