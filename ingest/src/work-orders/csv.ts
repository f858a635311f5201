import {
  formatIssues,
  WORK_ORDER_CSV_COLUMNS,
  workOrderInputSchema,
  type WorkOrderInput,
} from '@takt/protocol';
import { zonedTimeToUtc } from '../domain/shifts';

export interface RowError {
  /** 1-based line in the file (the header is line 1). */
  line: number;
  message: string;
}

/** RFC 4180 fields: commas, double quotes ("" inside quotes), CRLF or LF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += c;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** `OP10@press-01;OP20@assembly-01` -> operations. */
function routing(value: string): { id: string; machine: string }[] {
  return value
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((step) => {
      const [id, machine] = step.split('@').map((s) => s.trim());
      return { id: id ?? '', machine: machine ?? '' };
    });
}

/**
 * A date as an ERP writes it: `YYYY-MM-DD` is due at the end of that day in the plant's time
 * zone (the last second before midnight there), else ISO 8601 with its offset.
 */
function dueAt(value: string, timeZone: string): string | undefined {
  if (value === '') return undefined;
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!date) return value;
  const next = new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]) + 1));
  const midnight = zonedTimeToUtc(
    { y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() },
    '00:00',
    timeZone,
  );
  return Number.isNaN(midnight) ? value : new Date(midnight - 1000).toISOString();
}

/**
 * An ERP export -> work orders, every row checked; any error refuses the whole file (the
 * caller imports nothing), each error with its line and what is wrong.
 */
export function parseWorkOrderCsv(
  text: string,
  timeZone = 'UTC',
): { orders: WorkOrderInput[]; errors: RowError[] } {
  return parseWorkOrderRows(parseCsv(text.replace(/^\uFEFF/, '')), timeZone);
}

/** Rows of cells (a CSV's or a spreadsheet's, header first) -> work orders, as above. */
export function parseWorkOrderRows(
  all: readonly (readonly string[])[],
  timeZone = 'UTC',
): { orders: WorkOrderInput[]; errors: RowError[] } {
  const rows = all.filter((r) => r.some((f) => f.trim() !== ''));
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const errors: RowError[] = [];
  const unknown = header.filter((h) => !(WORK_ORDER_CSV_COLUMNS as readonly string[]).includes(h));
  const missing = WORK_ORDER_CSV_COLUMNS.filter(
    (c) => c !== 'customer' && c !== 'priority' && !header.includes(c),
  );
  if (unknown.length)
    errors.push({
      line: 1,
      message: `unknown column ${unknown.join(', ')} (expected ${WORK_ORDER_CSV_COLUMNS.join(', ')})`,
    });
  if (missing.length) errors.push({ line: 1, message: `missing column ${missing.join(', ')}` });
  if (errors.length) return { orders: [], errors };
  const orders: WorkOrderInput[] = [];
  const seen = new Map<string, number>();
  rows.slice(1).forEach((fields, i) => {
    const line = i + 2;
    const get = (c: string) => (fields[header.indexOf(c)] ?? '').trim();
    const candidate = {
      id: get('order_id'),
      product: get('product'),
      quantity: get('quantity') === '' ? NaN : Number(get('quantity')),
      dueAt: dueAt(get('due_date'), timeZone),
      customer: get('customer') || undefined,
      priority: get('priority') === '' ? undefined : Number(get('priority')),
      operations: routing(get('routing')),
    };
    const parsed = workOrderInputSchema.safeParse(candidate);
    if (!parsed.success) return errors.push({ line, message: formatIssues(parsed.error) });
    const first = seen.get(parsed.data.id);
    if (first !== undefined)
      return errors.push({ line, message: `order ${parsed.data.id} is already on line ${first}` });
    seen.set(parsed.data.id, line);
    orders.push(parsed.data);
  });
  return { orders: errors.length ? [] : orders, errors };
}
