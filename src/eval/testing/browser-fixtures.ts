// The shared fixtures (../shared/fixtures beside the repository) from a vitest browser-mode test:
// fetched through Vite's /@fs/ route, with the repository root taken from the running config, so
// no absolute path is written down. Vite must allow the folder (vitest.config.ts, browser project:
// server.fs.allow). A missing fixture skips with its reason, and fails when CI is set.
import { server } from 'vitest/browser';

/** Resolves "." and ".." in an absolute POSIX path. */
function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** Absolute file-system path of the shared fixtures folder. */
export function fixturesDir(): string {
  return normalizePath(`${server.config.root}/../shared/fixtures`);
}

/** URL under which the test page's server serves a fixture file. */
export function fixtureUrl(...parts: string[]): string {
  return `/@fs${normalizePath(`${fixturesDir()}/${parts.join('/')}`)}`;
}

/**
 * CI=true? The browser sees only the project's `test.env` (vitest.config.ts must pass CI there),
 * both as `server.config.env` and as `import.meta.env`.
 */
export function isCi(): boolean {
  const env = server.config.env as Record<string, string | undefined>;
  const ci: string | undefined = env.CI ?? import.meta.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

export type FixtureFiles<K extends string> = { [key in K]: ArrayBuffer };

/**
 * Fetches fixture files by name, or returns the reason one cannot be had (a missing file, or
 * a folder Vite does not serve). Under CI a missing fixture throws instead of skipping.
 */
export async function fetchFixtures<K extends string>(
  files: Record<K, string[]>,
): Promise<{ files: FixtureFiles<K>; missing?: undefined } | { files?: undefined; missing: string }> {
  const out = {} as FixtureFiles<K>;
  const problems: string[] = [];
  await Promise.all(
    (Object.entries(files) as [K, string[]][]).map(async ([key, parts]) => {
      const url = fixtureUrl(...parts);
      const response = await fetch(url).catch((e: Error) => ({ ok: false, status: e.message }) as const);
      if (!response.ok) {
        problems.push(`${url} (HTTP ${response.status}${response.status === 403 ? ': add the folder to server.fs.allow' : ''})`);
        return;
      }
      // Vite answers a missing /@fs/ file with its HTML page (200); no fixture is HTML.
      if (response.headers.get('content-type')?.startsWith('text/html')) {
        problems.push(`${url} (not found)`);
        return;
      }
      out[key] = await (response as Response).arrayBuffer();
    }),
  );
  if (problems.length === 0) return { files: out };
  const missing = `fixtures not available: ${problems.join(', ')}`;
  if (isCi()) throw new Error(`${missing} (CI is set: fixtures are required)`);
  return { missing };
}
