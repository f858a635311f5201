import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backoffMs, SeqStore } from '../../src';

describe('SeqStore', () => {
  it('never repeats a seq across restarts, even after a crash mid-block', () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-seq-'));
    const before = Date.now() * 1000;
    const first = new SeqStore(dir, 10);
    const taken = Array.from({ length: 15 }, () => first.take());
    // No file yet: the count starts from the clock (µs), so a gateway that lost its state
    // still numbers above what ingest has seen from it.
    const start = taken[0]!;
    expect(start).toBeGreaterThanOrEqual(before);
    expect(start).toBeLessThanOrEqual(Date.now() * 1000);
    expect(taken).toEqual(Array.from({ length: 15 }, (_, i) => start + i));
    expect(JSON.parse(readFileSync(join(dir, 'seq.json'), 'utf8'))).toEqual({
      reservedUpTo: start + 20,
    });
    const second = new SeqStore(dir, 10); // "crash": start+15..19 are skipped, not reused
    expect(second.take()).toBe(start + 20);
  });

  it('fails with the directory named when the file is corrupt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-seq-'));
    writeFileSync(join(dir, 'seq.json'), '{"reservedUpTo":-4}');
    expect(() => new SeqStore(dir)).toThrow(
      new RegExp(`EDGE_ERR_STATE_DIR: cannot use state directory ${dir}.*corrupt`),
    );
  });
});

describe('backoffMs', () => {
  it('doubles up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
  });
});
