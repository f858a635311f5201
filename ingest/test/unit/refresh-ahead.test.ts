import { describe, expect, it } from 'vitest';
import { RefreshAhead } from '../../src/http/refresh-ahead';

/** A computation the test finishes by hand, and how many were started. */
function computations() {
  const started: { now: number; resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const compute = (now: number) =>
    new Promise<string>((resolve, reject) => started.push({ now, resolve, reject }));
  return { started, compute };
}

describe('an answer computed ahead (the shift board)', () => {
  it('serves a fresh answer as is, a stale one at once while one new one is computed', async () => {
    let now = 0;
    const cache = new RefreshAhead<string>({ freshMs: 30, staleMs: 60, now: () => now });
    const { started, compute } = computations();
    const first = cache.get('site', compute);
    started[0]!.resolve('v0');
    expect(await first).toBe('v0');

    now = 29;
    expect(await cache.get('site', compute)).toBe('v0');
    expect(started).toHaveLength(1);

    now = 45; // stale: answered at once with v0, one computation in the background
    expect(await cache.get('site', compute)).toBe('v0');
    expect(await cache.get('site', compute)).toBe('v0');
    expect(started).toHaveLength(2);
    expect(started[1]!.now).toBe(45);
    started[1]!.resolve('v1');
    await Promise.resolve();

    now = 70; // v1 was made at 45: fresh
    expect(await cache.get('site', compute)).toBe('v1');
    expect(started).toHaveLength(2);
  });

  it('makes the asker wait when the answer is older than stale, or was never made', async () => {
    let now = 0;
    const cache = new RefreshAhead<string>({ freshMs: 30, staleMs: 60, now: () => now });
    const { started, compute } = computations();
    const first = cache.get('a', compute);
    started[0]!.resolve('v0');
    await first;
    now = 61;
    const waited = cache.get('a', compute);
    let settled = false;
    void waited.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    started[1]!.resolve('v1');
    expect(await waited).toBe('v1');
    // Another key is its own answer.
    void cache.get('b', compute);
    expect(started).toHaveLength(3);
  });

  it('keeps the stale answer when its refresh fails, and tries again on the next ask', async () => {
    let now = 0;
    const cache = new RefreshAhead<string>({ freshMs: 30, staleMs: 60, now: () => now });
    const { started, compute } = computations();
    const first = cache.get('site', compute);
    started[0]!.resolve('v0');
    await first;
    now = 40;
    expect(await cache.get('site', compute)).toBe('v0');
    started[1]!.reject(new Error('database away'));
    await new Promise((r) => setImmediate(r));
    expect(await cache.get('site', compute)).toBe('v0');
    expect(started).toHaveLength(3);
  });

  it('keeps no failed first answer: the next asker computes again', async () => {
    const cache = new RefreshAhead<string>({ freshMs: 30, staleMs: 60, now: () => 0 });
    const { started, compute } = computations();
    const first = cache.get('site', compute);
    started[0]!.reject(new Error('database away'));
    await expect(first).rejects.toThrow('database away');
    const again = cache.get('site', compute);
    expect(started).toHaveLength(2);
    started[1]!.resolve('v1');
    expect(await again).toBe('v1');
  });
});
