// How the CLI talks: results on stdout (text or --json), progress and errors on stderr, and the
// exit codes of the issue: 0 success, 2 usage error, 1 bad input or failure (one-line reason).
import { StudioError } from '../core/errors';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function progressLine(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}`);
  else process.stderr.write(`${text}\n`);
}

export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\n');
}

/** One line on stderr; returns the exit code for the error. */
export function reportError(e: unknown): number {
  const message = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
  process.stderr.write(`studio: error: ${message}\n`);
  if (e instanceof StudioError && e.code === 'usage') {
    process.stderr.write("Run 'npx studio --help' for usage.\n");
    return EXIT.usage;
  }
  if (!(e instanceof StudioError) && process.env.STUDIO_DEBUG) console.error(e);
  return EXIT.failure;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
