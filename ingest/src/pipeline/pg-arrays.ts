/**
 * Array parameters as PostgreSQL array literals, for the writer's statements with a row per
 * series (the rollups and the live values: thousands of elements a batch). pg turns a JS
 * array into the same text element by element, a Date through a local-time formatter: in a
 * CPU profile of ingest at 1,000 machines that was the largest share of the writer's own
 * JavaScript (docs/decisions.md "Issue 22 — the sixth pass"). The database reads the same
 * values either way.
 */

/** float8[], int8[] or int2[]: a number as JavaScript prints it ("NaN", "Infinity" too). */
export function numberArray(values: readonly (number | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) out += ',';
    const v = values[i];
    out += v === null || v === undefined ? 'NULL' : String(v);
  }
  return out + '}';
}

/** text[]: every element quoted, `\` and `"` escaped; each distinct string escaped once. */
export function textArray(values: readonly (string | null)[]): string {
  const quoted = new Map<string, string>();
  let out = '{';
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v === null || v === undefined) {
      out += 'NULL';
      continue;
    }
    let q = quoted.get(v);
    if (q === undefined) quoted.set(v, (q = `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`));
    out += q;
  }
  return out + '}';
}

/**
 * timestamptz[] from epoch milliseconds, in UTC (ISO 8601). A time no Date can hold is sent
 * as text the database refuses (a data error: the writer makes the message a dead letter).
 */
export function timeArray(values: readonly number[]): string {
  let out = '{';
  let lastMs = NaN;
  let lastText = '';
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) out += ',';
    const ms = values[i]!;
    if (ms !== lastMs) {
      lastMs = ms;
      const d = new Date(ms);
      lastText = Number.isNaN(d.getTime()) ? 'invalid' : d.toISOString();
    }
    out += lastText;
  }
  return out + '}';
}
