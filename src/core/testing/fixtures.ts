// Shared test fixtures (STYLE.md "Tests"): the trained models live in ../shared/fixtures beside
// the repository. Missing fixtures skip a suite with a stated reason on a developer machine and
// fail it under CI=true. Node-only (node:fs); used by *.test.ts files.
import { existsSync, openAsBlob } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { type ByteSource, blobSource } from '../byte-source';

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Absolute path of the shared fixtures folder (`<repo>/../shared/fixtures`). */
export const FIXTURES_DIR = resolve(REPO_ROOT, '../shared/fixtures');

/** Absolute path of a file or folder inside the shared fixtures. */
export function fixturePath(...parts: string[]): string {
  return join(FIXTURES_DIR, ...parts);
}

/**
 * Why a suite needing these fixture paths cannot run (undefined = all present). Under
 * CI=true a missing fixture throws instead: CI must never skip silently.
 */
export function missingFixtureReason(...paths: string[][]): string | undefined {
  const missing = paths.map((p) => fixturePath(...p)).filter((p) => !existsSync(p));
  if (missing.length === 0) return undefined;
  const reason = `fixtures not found: ${missing.join(', ')}`;
  if (process.env.CI) throw new Error(`${reason} (CI=true: fixtures are required)`);
  return reason;
}

/** `describe` that runs only when every listed fixture path exists (see missingFixtureReason). */
export function describeWithFixtures(title: string, paths: string[][], body: () => void): void {
  const reason = missingFixtureReason(...paths);
  if (reason === undefined) {
    describe(title, body);
  } else {
    describe.skip(`${title} (skipped: ${reason})`, () => {
      it('needs fixtures', () => {});
    });
  }
}

/** A fixture file as a lazy ByteSource (Node's openAsBlob: nothing is read until asked). */
export async function fixtureSource(...parts: string[]): Promise<ByteSource> {
  const path = fixturePath(...parts);
  return blobSource(await openAsBlob(path), parts[parts.length - 1]);
}
