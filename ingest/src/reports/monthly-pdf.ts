/**
 * The monthly improvement report as an A4 PDF (print/pdf.ts: pdfkit with the CJK font when
 * installed): the same content as GET /api/reports/monthly, as flowing text and small tables.
 */
import { formatDurationText, formatPlantTime, type MonthlyReport } from '@takt/protocol';
import { finish, MARGIN, A4, newSheet, type PrintFont } from '../print/pdf';
import { text } from './content';

const percent = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);

export async function renderMonthlyPdf(
  report: MonthlyReport,
  font: PrintFont,
  timeZone: string,
): Promise<Buffer> {
  const sheet = newSheet(font, report.title);
  const { doc } = sheet;
  const lang = report.lang;
  const t = (key: string) => text({ key }, lang);
  const width = A4.width - 2 * MARGIN;
  const duration = (ms: number) => formatDurationText(ms / 1000, lang);
  const heading = (title: string) => {
    sheet.font(13);
    doc.moveDown(0.8).text(sheet.printable(title), MARGIN, undefined, { width });
    sheet.font(10);
    doc.moveDown(0.3);
  };
  /** Rows of cells in fixed columns, flowing onto a new page when full. */
  const table = (rows: string[][], widths: number[]) => {
    for (const row of rows) {
      if (doc.y > A4.height - MARGIN - 30) doc.addPage();
      const y = doc.y;
      let x = MARGIN;
      row.forEach((cell, i) => {
        doc.text(sheet.printable(cell), x, y, {
          width: widths[i]! - 6,
          lineBreak: false,
          ellipsis: true,
        });
        x += widths[i]!;
      });
      doc.x = MARGIN;
      doc.y = y + doc.currentLineHeight(true) + 3;
    }
  };

  sheet.font(18);
  doc.text(sheet.printable(report.title), MARGIN, MARGIN, { width });
  sheet.font(10);
  doc.text(sheet.printable(`${t('report.monthly.lastMonth')}: ${report.previousMonth}`));

  heading(t('report.monthly.suggestions'));
  for (const line of report.suggestions) doc.text(sheet.printable(`• ${line}`), { width });

  heading(t('report.monthly.figures'));
  const head = ['', t('report.monthly.thisMonth'), t('report.monthly.lastMonth')];
  table(
    [
      head,
      ['OEE', percent(report.oee.this), percent(report.oee.last)],
      [
        t('report.col.availability'),
        percent(report.availability.this),
        percent(report.availability.last),
      ],
      [
        t('report.col.performance'),
        percent(report.performance.this),
        percent(report.performance.last),
      ],
      [t('report.col.quality'), percent(report.quality.this), percent(report.quality.last)],
      [
        t('report.col.good'),
        String(report.goodCount.this ?? '–'),
        String(report.goodCount.last ?? '–'),
      ],
    ],
    [200, 150, 150],
  );

  heading(t('report.monthly.losses'));
  table(
    [head, ...report.losses.map((l) => [l.label, duration(l.thisMs), duration(l.lastMs)])],
    [200, 150, 150],
  );

  heading(t('report.monthly.stops'));
  table(
    [head, ...report.stops.map((s) => [s.label, duration(s.thisMs), duration(s.lastMs)])],
    [200, 150, 150],
  );

  heading(t('report.monthly.late'));
  if (report.late.length === 0) doc.text(sheet.printable(t('report.late.none')));
  for (const o of report.late)
    doc.text(
      sheet.printable(
        `• ${text(
          {
            key: 'report.monthly.lateRow',
            params: {
              order: o.id,
              product: o.product,
              due: formatPlantTime(Date.parse(o.dueAt), { timeZone }),
              late: duration(o.lateMs),
              cause: o.cause
                ? `${o.cause.label} (${duration(o.cause.durationMs)})`
                : t('report.monthly.noCause'),
            },
          },
          lang,
          timeZone,
        )}`,
      ),
      MARGIN,
      undefined,
      { width },
    );
  return finish(doc);
}
