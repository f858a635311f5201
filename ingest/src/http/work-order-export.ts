import { api, ORDER_EXPORT_COLUMNS } from '@takt/protocol';
import type { FastifyReply } from 'fastify';
import { exportRows, type ExportRow } from '../queries/order-export';
import { routeOf } from '../route-contract';
import { toCsv, type CsvCell } from './csv';
import type { IngestPlugin } from './types';
import { windowWithDefaults } from './window';

/** The default window: the last 31 days of finished operations. */
const DEFAULT_SPAN_MS = 31 * 24 * 3_600_000;

const cellsOf = (r: ExportRow) =>
  [
    r.order,
    r.product,
    r.customer,
    r.orderQuantity,
    r.orderStatus,
    r.operation,
    r.machine,
    r.operationStatus,
    r.startedAt,
    r.finishedAt,
    r.good,
    r.rejected,
    r.operatorHours,
    r.operators,
  ] as const;

/**
 * An Excel workbook with the export's columns. Dates are Excel dates (UTC, as the CSV's ISO
 * times); text is written as text cells, which Excel never runs as formulas (a formula in
 * exceljs is only an explicit `{ formula }` value), so the CSV's defusing is not needed here.
 */
async function toXlsx(rows: readonly ExportRow[]): Promise<Buffer> {
  // Loaded on first use: ingest's start does not pay for exceljs (the import reads it in its worker).
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('operations');
  sheet.addRow([...ORDER_EXPORT_COLUMNS]);
  for (const r of rows) sheet.addRow(cellsOf(r).map((c) => c ?? null));
  for (const col of [9, 10]) sheet.getColumn(col).numFmt = 'yyyy-mm-dd hh:mm:ss';
  return Buffer.from(await book.xlsx.writeBuffer());
}

/**
 * `GET /api/work-orders/export`: finished operations for an ERP's completion receipt
 * (docs/decisions.md "Issue 20 — the Import page, exports and order status webhooks").
 */
export const workOrderExportPlugin: IngestPlugin = (app, { pool }) => {
  app.get('/api/work-orders/export', routeOf(api.orderExport.export), async (request, reply) => {
    const { status, format } = request.query;
    const { fromMs, toMs } = windowWithDefaults(request.query, DEFAULT_SPAN_MS);
    const rows = await exportRows(pool, { status }, fromMs, toMs);
    const name = `work-orders-${new Date(fromMs).toISOString().slice(0, 10)}-${new Date(toMs).toISOString().slice(0, 10)}`;
    if (format === 'xlsx')
      // The contract types the CSV answer; the workbook is bytes (docs/openapi.yaml says both).
      return (reply as FastifyReply)
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${name}.xlsx"`)
        .send(await toXlsx(rows));
    const cells = rows.map((r) =>
      cellsOf(r).map((c): CsvCell => (c instanceof Date ? c.toISOString() : c)),
    );
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}.csv"`)
      .send(toCsv(ORDER_EXPORT_COLUMNS, cells));
  });
};
