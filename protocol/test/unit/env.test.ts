import { afterEach, describe, expect, it } from 'vitest';
import { envNumber } from '../../src/config/env';

/* Settings from the environment (protocol/src/config/env.ts): a bad value stops the service
 * at start with the variable, the range and what it got. */
const NAME = 'TAKT_TEST_ENV_NUMBER';

afterEach(() => {
  delete process.env[NAME];
});

describe('envNumber', () => {
  it('gives the fallback when unset or empty, and the number when within range', () => {
    expect(envNumber(NAME, 100, 5, 1000)).toBe(100);
    process.env[NAME] = '';
    expect(envNumber(NAME, 100, 5, 1000)).toBe(100);
    process.env[NAME] = '50';
    expect(envNumber(NAME, 100, 5, 1000)).toBe(50);
  });

  it('refuses a value out of range or not a number, naming the variable and the range', () => {
    process.env[NAME] = '2';
    expect(() => envNumber(NAME, 100, 5, 1000)).toThrow(
      `${NAME} must be a number from 5 to 1000, not "2"`,
    );
    process.env[NAME] = 'fast';
    expect(() => envNumber(NAME, 100, 5, 1000)).toThrow('not "fast"');
  });
});
