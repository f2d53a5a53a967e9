// The page with a model of real size (not a test): the built studio (`vite build` output, served by
// `vite preview`) in Debian's Chromium, driven by Playwright as a person would use it — drop a
// checkpoint (model.safetensors + config.json + tokenizer.json), pick GGUF with the Q8_0 preset
// (--pure), compress, save — while the memory of Chromium's whole process tree (browser, renderer,
// GPU, utility processes: the sum of their PSS, so shared pages count once) and the page's
// responsiveness (how late a 0 ms timer fires on the main thread) are sampled. The save goes
// through the File System Access path, streamed by the worker: automated browsers take the Blob
// download instead (store/save-file.ts), so an init script clears navigator.webdriver and gives
// showSaveFilePicker a handle in the origin-private file system, which streams like a real file.
// Issue #13's bound: peak ≤ 2 × the largest tensor as float32 + 300 MB.
// Run: npm run bench:page-memory -- [--model DIR] [--layers N] [--out FILE.json]
//      (without --model: the Llama-3.2-1B shape from bench/make-model.ts, made in the temp folder)
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumPath } from '../e2e/chromium';
import { describeMachine } from './eval-report';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const opts = { model: '', layers: '16', out: '' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const key = argv[i].replace(/^--/, '') as keyof typeof opts;
  if (!(key in opts) || argv[i + 1] === undefined) throw new Error(`unknown argument ${argv[i]} (use --model DIR, --layers N, --out FILE)`);
  opts[key] = argv[++i];
}

/** Vite and Playwright resolve at run time from node_modules (bin/bundle.mjs cannot follow this specifier). */
function importAtRunTime<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}

/** The largest tensor of a safetensors file, in elements, from its header. */
function largestTensorElements(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    const length = Number(head.readBigUInt64LE(0));
    const json = Buffer.alloc(length);
    readSync(fd, json, 0, length, 8);
    const entries = Object.entries(JSON.parse(json.toString('utf8')) as Record<string, { shape?: number[] }>);
    return Math.max(...entries.filter(([k]) => k !== '__metadata__').map(([, t]) => (t.shape ?? []).reduce((a, b) => a * b, 1)));
  } finally {
    closeSync(fd);
  }
}

/** The process `root` and every descendant, from /proc. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while being listed
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** Chromium's name for a process: its --type (renderer, gpu-process, utility…), or browser. */
function processKind(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/); // Chromium rewrites its title into one line
    return cmd.find((a) => a.startsWith('--type='))?.slice(7) ?? (cmd[0].includes('chrom') ? 'browser' : cmd[0].split('/').pop() ?? '?');
  } catch {
    return '?';
  }
}

/** Sum of PSS and of RSS over the processes, in bytes, and PSS by kind of process. */
function treeMemory(pids: number[]): { pss: number; rss: number; pssByKind: Record<string, number> } {
  let pss = 0;
  let rss = 0;
  const pssByKind: Record<string, number> = {};
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const p = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
      pss += p;
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
      const kind = processKind(pid);
      pssByKind[kind] = (pssByKind[kind] ?? 0) + p;
    } catch {
      // gone
    }
  }
  return { pss, rss, pssByKind };
}

const gb = (b: number) => (b / 1e9).toFixed(2);

async function main(): Promise<void> {
  let model = opts.model;
  if (!model) {
    model = join(tmpdir(), `studio-page-memory-llama-3.2-1b-${opts.layers}`);
    if (!existsSync(join(model, 'model.safetensors'))) {
      console.log(`making the Llama-3.2-1B shape (${opts.layers} layers) in ${model}…`);
      execFileSync('node', [join(REPO_ROOT, '.bench/make-model.mjs'), '--shape', 'llama-3.2-1b', '--layers', opts.layers, '-o', model], { stdio: 'inherit' });
    }
  }
  const tokenizer = existsSync(join(model, 'tokenizer.json')) ? join(model, 'tokenizer.json') : resolve(REPO_ROOT, '../shared/fixtures/models/tiny-llama/tokenizer.json');
  const files = [join(model, 'model.safetensors'), join(model, 'config.json'), tokenizer];
  const largest = largestTensorElements(files[0]);
  const bound = 2 * largest * 4 + 300e6;

  const vite = await importAtRunTime<typeof import('vite')>('vite');
  const server = await vite.preview({ configFile: join(REPO_ROOT, 'vite.config.ts'), root: REPO_ROOT, preview: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview gave no URL');
  const { chromium } = await importAtRunTime<typeof import('playwright')>('playwright');
  // A persistent profile on disk: an ephemeral context keeps its origin-private files in the browser
  // process's memory, which would count the saved file as page memory.
  const profile = mkdtempSync(join(tmpdir(), 'studio-page-memory-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, args: chromiumArgs, headless: true, viewport: { width: 1280, height: 800 } });
  const samples: { t: number; pss: number; rss: number; pssByKind: Record<string, number>; timerLateMs: number }[] = [];
  const errors: string[] = [];
  let result: Record<string, unknown> = {};
  try {
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false });
      (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async (o: { suggestedName: string }) =>
        (await navigator.storage.getDirectory()).getFileHandle(o.suggestedName, { create: true });
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    // Chromium runs as children of this process (Playwright launches it; Vite serves in-process).
    const pids = () => processTree(process.pid).filter((p) => p !== process.pid);
    const t0 = Date.now();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const late = await page
          .evaluate(() => new Promise<number>((r) => { const s = performance.now(); setTimeout(() => r(performance.now() - s), 0); }))
          .catch(() => -1);
        samples.push({ t: (Date.now() - t0) / 1000, ...treeMemory(pids()), timerLateMs: late });
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const idle = treeMemory(pids());
    const phase: Record<string, number> = {};
    const mark = (name: string, since: number) => (phase[name] = (Date.now() - since) / 1000);

    let t = Date.now();
    await page.getByTestId('file-input').setInputFiles(files);
    await page.getByTestId('param-count').waitFor({ timeout: 600_000 });
    mark('open', t);
    console.log(`opened in ${phase.open} s: ${await page.getByTestId('param-count').textContent()} parameters`);
    await page.getByTestId('format-gguf').check();
    await page.getByTestId('quick-recipe').selectOption('gguf-Q8_0');
    await page.getByTestId('recipe-pure').check();
    await page.locator('[data-testid="plan-line"][data-planning="false"]').waitFor({ timeout: 600_000 });
    t = Date.now();
    await page.getByTestId('compress-button').click();
    await page.getByTestId('result-scheme').waitFor({ timeout: 3_600_000 });
    mark('compress', t);
    console.log(`compressed in ${phase.compress} s: ${await page.getByTestId('result-scheme').textContent()}`);
    t = Date.now();
    await page.getByTestId('result-panel').getByTestId('download-button').click();
    const done = page.getByTestId('result-panel').getByTestId('download-done');
    await done.waitFor({ timeout: 3_600_000 });
    mark('save', t);
    const saved = (await done.textContent()) ?? '';
    const fileName = /[\w.-]+\.gguf/.exec(saved)?.[0] ?? '';
    const savedBytes = await page.evaluate(async (name) => (await (await (await navigator.storage.getDirectory()).getFileHandle(name)).getFile()).size, fileName);
    console.log(`saved ${fileName} (${gb(savedBytes)} GB) through the File System Access path in ${phase.save} s`);
    sampling = false;
    await sampler;
    const peak = samples.reduce((a, s) => (s.pss > a.pss ? s : a), samples[0]);
    const worstLate = Math.max(...samples.map((s) => s.timerLateMs));
    result = {
      machine: describeMachine(),
      browser: context.browser()?.version() ?? 'chromium',
      model,
      largestTensorElements: largest,
      boundBytes: bound,
      idle,
      peak,
      peakOverBound: peak.pss / bound,
      worstTimerLateMs: worstLate,
      phases: phase,
      output: { fileName, bytes: savedBytes },
      errors,
      samples,
    };
    console.log(
      `Chromium process tree: idle PSS ${gb(idle.pss)} GB; peak PSS ${gb(peak.pss)} GB (RSS sum ${gb(peak.rss)}) at ${peak.t.toFixed(0)} s ` +
        `(${Object.entries(peak.pssByKind).map(([k, v]) => `${k} ${gb(v)}`).join(', ')}); ` +
        `bound ${gb(bound)} GB → ${(peak.pss / bound).toFixed(2)} × the bound; main thread's 0 ms timer at worst ${worstLate.toFixed(0)} ms late; page errors: ${errors.length}`,
    );
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await new Promise<void>((r) => server.httpServer.close(() => r()));
  }
  if (opts.out) writeFileSync(opts.out, JSON.stringify(result, null, 2));
}

await main();
