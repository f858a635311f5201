import { appendFileSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AckBook } from '../../src/queue/ack-book';
import { DiskQueue } from '../../src/queue/disk-queue';
import { decodeSegment, encodeRecord, type QueuedRecord } from '../../src/queue/framing';

const log = pino({ level: 'silent' });
const rec = (seq: number, payload = `{"seq":${seq}}`): QueuedRecord => ({
  seq,
  topic: 'takt/v1/s/gw/m1/metrics',
  payload,
});

const ref = (seq: number, segment: number, bytes: number) => ({ seq, segment, offset: 0, bytes });

describe('queue framing', () => {
  it('reads back what it wrote', () => {
    const records = [rec(1), rec(2, 'ünïcødé ✓'), rec(1_700_000_000_000_123)];
    const decoded = decodeSegment(Buffer.concat(records.map(encodeRecord)));
    expect(decoded.records).toEqual(records);
    expect(decoded.tornReason).toBeUndefined();
  });

  it('stops at a torn last frame (cut anywhere) and keeps the whole ones', () => {
    const whole = Buffer.concat([rec(1), rec(2)].map(encodeRecord));
    const last = encodeRecord(rec(3));
    for (let cut = 1; cut < last.length; cut++) {
      const decoded = decodeSegment(Buffer.concat([whole, last.subarray(0, cut)]));
      expect(decoded.records.map((r) => r.seq)).toEqual([1, 2]);
      expect(decoded.validBytes).toBe(whole.length);
      expect(decoded.tornReason).toBeDefined();
    }
  });

  it('detects a flipped bit by CRC', () => {
    const frame = encodeRecord(rec(7));
    frame.writeUInt8(frame.readUInt8(frame.length - 2) ^ 0x01, frame.length - 2);
    expect(decodeSegment(frame)).toMatchObject({ records: [], tornReason: 'CRC mismatch' });
  });
});

describe('ack book', () => {
  it('sends in seq order within the window, and forgets acked messages', () => {
    const book = new AckBook();
    for (let seq = 10; seq < 20; seq++) book.add(ref(seq, 1, 10));
    expect(book.next(0, 100, 4, 1000).map((r) => r.seq)).toEqual([10, 11, 12, 13]);
    expect(book.next(1, 100, 4, 1000)).toEqual([]); // window full
    expect(book.ack([[10, 11]])).toEqual({ acked: 2, emptied: [], found: 0 });
    expect(book.next(2, 100, 4, 1000).map((r) => r.seq)).toEqual([14, 15]);
    expect(book.pending).toBe(8);
  });

  it('re-sends everything unacked after a restart (reconnect) and after an ack timeout', () => {
    const book = new AckBook();
    for (let seq = 1; seq <= 5; seq++) book.add(ref(seq, 1, 10));
    expect(book.next(0, 3, 10, 1000).map((r) => r.seq)).toEqual([1, 2, 3]);
    book.ack([[2, 2]]);
    book.restart();
    expect(book.next(10, 10, 10, 1000).map((r) => r.seq)).toEqual([1, 3, 4, 5]);
    expect(book.next(500, 10, 10, 1000)).toEqual([]);
    expect(book.next(1011, 10, 10, 1000).map((r) => r.seq)).toEqual([1, 3, 4, 5]);
  });

  it('reports segments left empty, and drops a whole segment on overflow', () => {
    const book = new AckBook();
    book.add(ref(1, 1, 10));
    book.add(ref(2, 1, 10));
    book.add(ref(3, 2, 10));
    expect(book.ack([[1, 1]]).emptied).toEqual([]);
    expect(book.ack([[2, 100]]).emptied.sort()).toEqual([1, 2]);
    book.add(ref(4, 3, 10));
    book.add(ref(5, 3, 10));
    expect(book.dropSegment(3)).toBe(2);
    expect(book.pending).toBe(0);
    expect(book.bytes).toBe(0);
  });
});

describe('ack book: drops while in flight', () => {
  it('takes a dropped message off the loss count when ingest acks it after all', () => {
    const book = new AckBook();
    book.add(ref(1, 1, 10));
    book.add(ref(2, 1, 10));
    book.add(ref(3, 2, 10));
    book.next(0, 1, 10, 1000); // seq 1 is on its way
    expect(book.dropSegment(1)).toBe(2);
    expect(book.ack([[1, 3]])).toMatchObject({ acked: 1, found: 1 });
    expect(book.ack([[1, 3]])).toMatchObject({ acked: 0, found: 0 });
  });
});

describe('disk queue', () => {
  const opts = (dir: string, maxBytes = 1 << 20) => ({
    dir,
    maxBytes,
    segmentBytes: 4096,
    fsync: 'always' as const,
    fsyncIntervalMs: 1000,
    log,
  });

  it('keeps unacked messages across a restart, deleting segments once acked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-queue-'));
    const q1 = new DiskQueue(opts(dir));
    const big = 'x'.repeat(500);
    for (let seq = 1; seq <= 40; seq++) q1.append([rec(seq, big)]);
    const segmentsBefore = readdirSync(dir).filter((f) => f.endsWith('.q')).length;
    expect(segmentsBefore).toBeGreaterThan(3);
    expect(q1.ack([[1, 30]])).toBe(30);
    expect(readdirSync(dir).filter((f) => f.endsWith('.q')).length).toBeLessThan(segmentsBefore);
    // no close(): as after kill -9
    const q2 = new DiskQueue(opts(dir));
    // Acks are not persisted: the rest of a partly acked segment is sent again (ingest
    // dedupes it), but nothing unacked is missing and the order holds.
    const resent = q2.next(0, 100, 100, 1000);
    expect(resent[resent.length - 1]).toEqual(rec(40, big)); // read back from disk
    const again = resent.map((r) => r.seq);
    expect(again.length).toBeLessThan(10 + 4096 / 500);
    expect(again.slice(-10)).toEqual(Array.from({ length: 10 }, (_, i) => 31 + i));
    expect(again).toEqual([...again].sort((a, b) => a - b));
    q1.close();
    q2.close();
  });

  it('cuts off a torn tail left by a crash while writing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-queue-'));
    const q1 = new DiskQueue(opts(dir));
    q1.append([rec(1), rec(2)]);
    q1.close();
    const file = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.q'))!,
    );
    const size = statSync(file).size;
    appendFileSync(file, encodeRecord(rec(3)).subarray(0, 9));
    const q2 = new DiskQueue(opts(dir));
    expect(q2.stats().pending).toBe(2);
    expect(statSync(file).size).toBe(size);
    q2.close();
  });

  it('drops the oldest segment past maxBytes and counts exactly what it dropped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-queue-'));
    const maxBytes = 64 * 1024;
    const q = new DiskQueue(opts(dir, maxBytes));
    const payload = 'y'.repeat(1000);
    const sent = 500;
    for (let seq = 1; seq <= sent; seq++) q.append([rec(seq, payload)]);
    const { pending, lost, bytes } = q.stats();
    expect(bytes).toBeLessThanOrEqual(maxBytes);
    expect(lost).toBeGreaterThan(0);
    expect(pending + lost).toBe(sent);
    // The survivors are the newest, in order.
    const left = q.book.next(0, 10_000, 10_000, 1000).map((r) => r.seq);
    expect(left).toEqual(Array.from({ length: pending }, (_, i) => sent - pending + 1 + i));
    q.close();
    // The loss count survives a restart.
    const again = new DiskQueue(opts(dir, maxBytes));
    expect(again.stats().lost).toBe(lost);
    again.close();
  });

  it('ignores a corrupt loss file rather than refusing to start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-queue-'));
    writeFileSync(join(dir, 'lost.json'), '{nope');
    const q = new DiskQueue(opts(dir));
    expect(q.stats().lost).toBe(0);
    q.close();
  });
});
