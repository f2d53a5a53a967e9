// Per-test adapter over the shared fixture rule in src/core/testing/fixtures.ts (skip with the
// reason when a fixture is missing, fail under CI): `it` that takes fixture paths relative to
// ../shared/fixtures, written 'models/tiny-llama/…', as the GGUF/safetensors/quant tests use them.
import { it } from 'vitest';
import type { ByteSource } from '../../../core/byte-source';
import { fixtureSource as coreFixtureSource, missingFixtureReason } from '../../../core/testing/fixtures';

const parts = (relative: string) => relative.split('/');

/** A fixture file as a lazy ByteSource. */
export function fixtureSource(relative: string): Promise<ByteSource> {
  return coreFixtureSource(...parts(relative));
}

/** `it` that needs the given fixture files (missing: skipped with the reason; under CI: throws). */
export function itWithFixtures(relative: string[], name: string, fn: () => Promise<void> | void, timeout?: number): void {
  const reason = missingFixtureReason(...relative.map(parts));
  if (reason === undefined) it(name, fn, timeout);
  else it.skip(`${name} (skipped: ${reason})`, fn);
}
