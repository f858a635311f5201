import { describe, expect, it } from 'vitest';
import { consoleFormatter } from '../../scripts/demo-console';
import { progressBar } from '../../scripts/history/progress';

const line = JSON.stringify({
  level: 40,
  time: Date.UTC(2026, 11, 6, 8, 30),
  pid: 7,
  hostname: 'vm',
  name: 'ingest',
  gatewayId: 'gw-demo-1',
  msg: 'ack not published',
});

describe('the demo console', () => {
  it('shows pino lines readably on a terminal', () => {
    const out = consoleFormatter(true, undefined)(line);
    expect(out).toContain('WARN');
    expect(out).toContain('ack not published');
    expect(out).toContain('gw-demo-1');
    expect(out).not.toContain('"msg"');
    expect(consoleFormatter(true, undefined)('plain text')).toBe('plain text');
  });

  it('passes the JSON unchanged in a pipe and in production', () => {
    expect(consoleFormatter(false, undefined)(line)).toBe(line);
    expect(consoleFormatter(true, 'production')(line)).toBe(line);
  });

  it('writes a plain line per 10 % when the output is not a terminal', () => {
    const written: string[] = [];
    const out = {
      isTTY: false,
      write: (s: string) => written.push(s),
    } as unknown as NodeJS.WriteStream;
    const bar = progressBar('history', 200, out, () => 0);
    for (let done = 0; done <= 200; done += 7) bar.update(done);
    bar.finish('200 messages');
    expect(written.filter((l) => /^history: \d+ %/.test(l)).map((l) => l.split(' ')[1])).toEqual([
      '0',
      '10',
      '20',
      '30',
      '40',
      '50',
      '60',
      '70',
      '80',
      '90',
      '100',
    ]);
    expect(written.at(-1)).toBe('history: done in 0.0 s — 200 messages\n');
  });
});
