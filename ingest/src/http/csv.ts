import { stringify } from 'csv-stringify/sync';

/** What a CSV cell may be given: text, a number, or nothing (an empty cell). */
export type CsvCell = string | number | null | undefined;

/**
 * Text a spreadsheet would take for a formula: a cell starting with `=`, `+`, `-`, `@`, a
 * tab or a carriage return (OWASP "CSV Injection"). Gateways, operators and alert comments
 * write text Takt does not control, e.g. `=HYPERLINK("http://x","y")`.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text that would start a formula, prefixed with `'`: Excel and LibreOffice show it as text. */
export const defuseText = (text: string): string => (FORMULA_START.test(text) ? `'${text}` : text);

/**
 * The one CSV writer of every export (docs/decisions.md "Issue 18 — imports off the event
 * loop, one CSV writer, errors without internals"): RFC 4180 by csv-stringify (quotes
 * where a cell holds a comma, a quote, a CR or an LF; CRLF line ends), header first.
 * Text cells are defused; numbers are written as numbers, so -3.5 stays a negative number
 * a spreadsheet can sum (a number cannot be a formula). A value that is a number must
 * therefore reach here as a number, not as its text.
 */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  return stringify([header, ...rows], {
    record_delimiter: 'windows',
    // A lone CR or LF inside a cell is quoted too (csv-stringify quotes only the CRLF it writes).
    quoted_match: /[\r\n]/,
    cast: { string: defuseText, number: (n) => String(n) },
  });
}
