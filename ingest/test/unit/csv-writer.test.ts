import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/http/csv';

describe('the CSV writer (ingest/src/http/csv.ts)', () => {
  it('prefixes text that starts a formula with a quote, and leaves numbers as numbers', () => {
    const text = ['=1+1', '+1', '-x', '@SUM(A1)', '\tcmd', '\rcmd', 'plain', '-3.5'];
    expect(toCsv(['v'], [...text.map((t) => [t]), [-3.5], [0], [null]])).toBe(
      [
        'v',
        "'=1+1",
        "'+1",
        "'-x",
        "'@SUM(A1)",
        "'\tcmd",
        `"'\rcmd"`, // a CR is quoted as well
        'plain',
        "'-3.5", // text, as a gateway sent it
        '-3.5',
        '0',
        '',
        '',
      ].join('\r\n'),
    );
  });
});
