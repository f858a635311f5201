import { api, type NcSummary } from '@takt/protocol/api';
import { useT } from '../../i18n';
import { apiGet } from '../../lib/api';
import { TEST_IDS } from '../../testids';
import { useLoad } from '../use-api';

type Row = NcSummary['byReason'][number];

function Group({ title, rows }: { title: string; rows: readonly Row[] }) {
  const { t } = useT();
  return (
    <table className="table" data-group={title}>
      <thead>
        <tr>
          <th>{title}</th>
          <th>{t('nc.count')}</th>
          <th>{t('nc.quantity')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key ?? ''}>
            <td>{r.key ?? t('nc.noneNamed')}</td>
            <td>{r.count}</td>
            <td>{r.quantity}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * NCs opened in the analytics window by reason, product and machine
 * (GET /api/nonconformances/summary; docs/decisions.md "Issue 23 — nonconformance and rework").
 */
export function NcSummaryPanel({ fromMs, toMs }: { fromMs: number; toMs: number }) {
  const { t } = useT();
  // The summary route takes at most 366 days.
  const from = Math.max(fromMs, toMs - 366 * 86_400_000);
  const data = useLoad(`nc-summary:${from}:${toMs}`, () =>
    apiGet(api.nonconformances.summary, {
      query: { from: new Date(from).toISOString(), to: new Date(toMs).toISOString() },
    }),
  ).data;
  return (
    <section
      className="panel panel--wide"
      data-testid={TEST_IDS.ncSummary}
      data-count={data?.total.count ?? ''}
    >
      <h3>
        {t('nc.summaryTitle')}
        {data ? ` · ${data.total.count} · ${data.total.quantity}` : ''}{' '}
        <a href="/quality/nc">{t('nc.title')}</a>
      </h3>
      {data && data.total.count === 0 ? <p className="panel__empty">{t('nc.none')}</p> : null}
      {data && data.total.count > 0 ? (
        <div className="nc-page__filters">
          <Group title={t('nc.byReason')} rows={data.byReason} />
          <Group title={t('nc.byProduct')} rows={data.byProduct} />
          <Group title={t('nc.byMachine')} rows={data.byMachine} />
        </div>
      ) : null}
    </section>
  );
}
