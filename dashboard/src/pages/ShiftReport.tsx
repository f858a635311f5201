import { useMemo } from 'react';
import { useT, type MessageKey } from '../i18n';
import { plantDateTime } from '../lib/plant-time';
import { shiftReportCells, toCsv, type ShiftReportRow } from '../lib/oee-report';
import { TEST_IDS } from '../testids';

const COLUMNS: MessageKey[] = [
  'report.date',
  'report.shift',
  'report.machine',
  'report.from',
  'report.to',
  'report.planned',
  'report.run',
  'report.notMonitored',
  'report.good',
  'report.reject',
  'report.a',
  'report.p',
  'report.q',
  'report.oee',
];

/** A client-side download: the browser saves the Blob under `name`. */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Per shift × machine: planned and run time, good, reject, A, P, Q, OEE; CSV of the same. */
export function ShiftReport({
  rows,
  machines,
  timeZone,
  fileStem,
}: {
  rows: ShiftReportRow[];
  machines: string[];
  timeZone: string;
  fileStem: string;
}) {
  const { t } = useT();
  const header = COLUMNS.map((c) => t(c));
  const cells = useMemo(
    () => shiftReportCells(rows, machines, (ms) => plantDateTime(ms, timeZone)),
    [rows, machines, timeZone],
  );
  return (
    <section className="panel panel--wide">
      <div className="panel__head">
        <h3>{t('analytics.shiftReport')}</h3>
        <button
          type="button"
          data-testid={TEST_IDS.exportCsv}
          disabled={cells.length === 0}
          onClick={() => download(`${fileStem}.csv`, toCsv(header, cells))}
        >
          {t('analytics.exportCsv')}
        </button>
      </div>
      {cells.length === 0 ? <p className="panel__empty">{t('analytics.noTrend')}</p> : null}
      <div className="table-wrap">
        <table className="report" data-testid={TEST_IDS.shiftReport}>
          <thead>
            <tr>
              {header.map((h) => (
                <th key={h}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cells.map((row) => (
              <tr key={`${row[0]}|${row[3]}|${row[2]}`}>
                {row.map((cell, i) => (
                  <td key={COLUMNS[i]} className={i >= 5 ? 'num' : undefined}>
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
