import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, fixturePath, missingFixtureReason } from './fixtures';

describe('fixtures helper', () => {
  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
  });

  it('resolves ../shared/fixtures beside the repository', () => {
    expect(FIXTURES_DIR.endsWith('/shared/fixtures')).toBe(true);
    expect(fixturePath('models', 'x')).toBe(`${FIXTURES_DIR}/models/x`);
  });

  it('skips with a reason locally and fails under CI when a fixture is missing', () => {
    delete process.env.CI;
    expect(missingFixtureReason(['no-such-fixture'])).toMatch(/fixtures not found: .*no-such-fixture/);
    process.env.CI = 'true';
    expect(() => missingFixtureReason(['no-such-fixture'])).toThrow(/CI=true: fixtures are required/);
  });
});
