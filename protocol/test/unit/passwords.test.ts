import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, PASSWORD_COST, SECRET_COST, verifyPassword } from '../../src';

describe('password hashes (protocol/src/passwords.ts)', () => {
  it("hashes at OWASP's scrypt cost, the parameters in the string", async () => {
    expect(PASSWORD_COST).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    const hash = await hashPassword('Correct-Horse-9', PASSWORD_COST);
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[\w+/=]+\$[\w+/=]+$/);
    expect(await verifyPassword('Correct-Horse-9', hash)).toBe(true);
    expect(await verifyPassword('Correct-Horse-8', hash)).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it('still verifies a hash of the older N=2^14 and asks for a rehash', async () => {
    const old = await hashPassword('pw', { N: 2 ** 14, r: 8, p: 1 });
    expect(old.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(await verifyPassword('pw', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    // Generated secrets (the broker's accounts) keep the lower cost by default.
    expect(SECRET_COST.N).toBe(2 ** 14);
    expect(needsRehash(old, SECRET_COST)).toBe(false);
  });

  it('refuses, without computing, a stored hash asking for absurd parameters', async () => {
    const good = await hashPassword('pw', { N: 2 ** 14, r: 8, p: 1 });
    const [, , , , salt, key] = good.split('$');
    for (const params of ['4194304$8$1', '16384$8$1000', '16383$8$1', '0$8$1', 'x$8$1'])
      expect(await verifyPassword('pw', `scrypt$${params}$${salt}$${key}`), params).toBe(false);
  });
});
