import { ID_PATTERN, type ImportField, type ImportMappingBody, type Message } from '@takt/protocol';
import type { SourceRow } from './csv';
import { DEFAULT_DATE_FORMATS, readDate } from './dates';
import { resolveColumns, type Column } from './mappings';

/** A problem with a cell (column: the file's header), or with the header or the file (null). */
export interface CellError {
  column: string | null;
  error: Message;
}

/** One order as a row gives it; absent fields are not in the file (or empty there). */
export interface ImportedOrder {
  id: string;
  product: string;
  quantity: number;
  dueAt?: string;
  plannedStart?: string;
  customer?: string;
  priority?: number;
  operations?: { id: string; machine: string }[];
}

/** A row read: its line, its order id if it has one, and the order or what is wrong with it. */
export interface ReadRow {
  row: number;
  id: string | null;
  order?: ImportedOrder;
  errors: CellError[];
}

/** Each field's header as the file writes it (for errors found after reading). */
export type ColumnHeaders = Partial<Record<ImportField, string>>;

export interface RowsRead {
  headers: ColumnHeaders;
  rows: ReadRow[];
}

export interface RowReading {
  mappingName: string;
  mapping: ImportMappingBody;
  timeZone: string;
  /** The rows came from a workbook: a number in a date column is an Excel date serial. */
  sheet: boolean;
}

/** `OP10@press-01;OP20@assembly-01` -> operations, or undefined when a step is not `id@machine`. */
function routing(value: string): { id: string; machine: string }[] | undefined {
  const steps = value
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((step) => step.split('@').map((s) => s.trim()));
  if (steps.length === 0 || steps.length > 50) return undefined;
  if (steps.some((s) => s.length !== 2 || !s.every((p) => ID_PATTERN.test(p)))) return undefined;
  return steps.map(([id, machine]) => ({ id: id!, machine: machine! }));
}

/** `1,200` or `1200.0000` (Kingdee writes quantities with decimals) -> 1200. */
function wholeNumber(value: string, min: number, max: number): number | undefined {
  const n = Number(value.replace(/,(?=\d{3}\b)/g, ''));
  return value !== '' && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/** One row's cells -> the order, or one error per cell that is wrong. */
function readRow(
  source: SourceRow,
  columns: Partial<Record<ImportField, Column>>,
  how: RowReading,
): ReadRow {
  const errors: CellError[] = [];
  const cell = (f: ImportField) => {
    const c = columns[f];
    return c ? (source.cells[c.index] ?? '').trim() : '';
  };
  const fail = (f: ImportField, key: string, params: Message['params'] = {}) => {
    errors.push({ column: columns[f]?.header ?? f, error: { key, params } });
    return undefined;
  };
  const required = (f: ImportField) =>
    cell(f) === '' ? fail(f, 'import.cell.required', { column: columns[f]?.header ?? f }) : cell(f);
  const idLike = (f: 'id' | 'product') => {
    const v = required(f);
    return v === undefined || ID_PATTERN.test(v) ? v : fail(f, `import.cell.${f}`, { value: v });
  };
  const id = idLike('id');
  const product = idLike('product');
  const quantity =
    required('quantity') === undefined
      ? undefined
      : (wholeNumber(cell('quantity'), 1, 10_000_000) ??
        fail('quantity', 'import.cell.quantity', { value: cell('quantity') }));
  const date = (f: 'dueAt' | 'plannedStart') => {
    if (cell(f) === '') return undefined;
    const at = readDate(cell(f), {
      formats: how.mapping.dateFormats,
      timeZone: how.timeZone,
      endOfDay: f === 'dueAt',
      sheet: how.sheet,
    });
    return (
      at ??
      fail(f, 'import.cell.date', {
        value: cell(f),
        formats: (how.mapping.dateFormats ?? DEFAULT_DATE_FORMATS).join(', '),
      })
    );
  };
  const dueAt = date('dueAt');
  const plannedStart = date('plannedStart');
  const customer = cell('customer');
  if (customer.length > 128)
    fail('customer', 'import.cell.text', { column: columns.customer!.header });
  const priority =
    cell('priority') === ''
      ? undefined
      : (wholeNumber(cell('priority'), 0, 9) ??
        fail('priority', 'import.cell.priority', { value: cell('priority') }));
  const operations =
    cell('routing') === ''
      ? undefined
      : (routing(cell('routing')) ??
        fail('routing', 'import.cell.routing', { value: cell('routing') }));
  const row: ReadRow = { row: source.line, id: id ?? null, errors };
  if (errors.length === 0)
    row.order = {
      id: id!,
      product: product!,
      quantity: quantity!,
      ...(dueAt && { dueAt }),
      ...(plannedStart && { plannedStart }),
      ...(customer && { customer }),
      ...(priority !== undefined && { priority }),
      ...(operations && { operations }),
    };
  return row;
}

/**
 * A file's rows (header first) -> each data row read through the mapping. A header without
 * a required field is one refused row (the header's line) naming each field missing; a
 * duplicate order id refuses the later rows, naming the first.
 */
export function readRows(rows: readonly SourceRow[], how: RowReading): RowsRead {
  const [header, ...data] = rows;
  if (!header)
    return {
      headers: {},
      rows: [{ row: 1, id: null, errors: [{ column: null, error: { key: 'import.file.empty' } }] }],
    };
  const { columns, missing } = resolveColumns(header.cells, how.mappingName, how.mapping);
  const headers = Object.fromEntries(
    Object.entries(columns).map(([f, c]) => [f, c.header]),
  ) as ColumnHeaders;
  if (missing.length > 0)
    return {
      headers,
      rows: [
        {
          row: header.line,
          id: null,
          errors: missing.map((m) => ({ column: m.field, error: m.error })),
        },
      ],
    };
  const seen = new Map<string, number>();
  const read = data.map((source) => {
    const row = readRow(source, columns, how);
    if (row.id === null) return row;
    const first = seen.get(row.id);
    if (first === undefined) seen.set(row.id, row.row);
    else {
      row.errors.push({
        column: columns.id!.header,
        error: { key: 'import.row.duplicate', params: { id: row.id, first } },
      });
      delete row.order;
    }
    return row;
  });
  return { headers, rows: read };
}
