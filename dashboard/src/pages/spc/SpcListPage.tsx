import { api, type CharacteristicSummary } from '@takt/protocol/api';
import { useT } from '../../i18n';
import { apiGet } from '../../lib/api';
import { mapLimit, useLoad } from '../use-api';
import { formatIndex, specText } from './spc-format';

const DAY = 86_400_000;

interface Row {
  c: CharacteristicSummary;
  cpk: number | null;
}

/** `/spc`: the plant model's characteristics with their Cpk over the last 30 days. */
export function SpcListPage() {
  const { t, lang } = useT();
  const rows = useLoad<Row[]>(`spc-list:${lang}`, async () => {
    const list = await apiGet(api.spc.list);
    const to = new Date();
    const from = new Date(to.getTime() - 30 * DAY);
    return mapLimit(list, 4, async (c) => {
      const chart = await apiGet(api.spc.chart, {
        params: { characteristic: c.id },
        query: { from: from.toISOString(), to: to.toISOString(), lang },
      }).catch(() => null);
      return { c, cpk: chart?.cpk ?? null };
    });
  });
  return (
    <main
      className="page page--spc"
      data-testid="spc-list"
      data-loaded={String(rows.data !== null)}
    >
      <h2>{t('page.spc')}</h2>
      {rows.error ? (
        <p className="panel__note">{t('pages.error', { reason: rows.error.message })}</p>
      ) : null}
      {rows.data && rows.data.length === 0 ? <p className="panel__note">{t('spc.none')}</p> : null}
      {rows.data && rows.data.length > 0 ? (
        <div className="table-wrap">
          <table className="report">
            <thead>
              <tr>
                <th>{t('spc.characteristic')}</th>
                <th>{t('spc.product')}</th>
                <th>{t('spc.operation')}</th>
                <th>{t('spc.machine')}</th>
                <th>{t('spc.spec')}</th>
                <th>{t('spc.chartKind')}</th>
                <th>{t('spc.source')}</th>
                <th>{t('spc.latestCpk')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.data.map(({ c, cpk }) => (
                <tr key={c.id} data-testid="spc-row" data-id={c.id}>
                  <td>
                    <a href={`/spc/${encodeURIComponent(c.id)}`}>{c.name}</a>
                  </td>
                  <td>{c.product ?? t('pages.none')}</td>
                  <td>{c.operation ?? t('pages.none')}</td>
                  <td>{c.machine ?? t('pages.none')}</td>
                  <td>{specText(c)}</td>
                  <td>{t(`spc.kind.${c.chart}`)}</td>
                  <td>{t(`spc.source.${c.source}`)}</td>
                  <td className={cpkClass(cpk)} data-testid="spc-cpk">
                    {formatIndex(cpk)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </main>
  );
}

/** Cpk below 1 is bad, below 1.33 a warning (the usual floor for an existing process). */
export function cpkClass(cpk: number | null): string {
  if (cpk === null) return '';
  return cpk < 1 ? 'spc-bad' : cpk < 1.33 ? 'spc-warn' : 'spc-ok';
}
