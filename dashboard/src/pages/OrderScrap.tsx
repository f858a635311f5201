import { api } from '@takt/protocol/api';
import { useT } from '../i18n';
import { apiGet } from '../lib/api';
import { TEST_IDS } from '../testids';
import { useLoad } from './use-api';

const rate = (rejected: number, good: number) =>
  good + rejected > 0 ? `${((rejected / (good + rejected)) * 100).toFixed(1)} %` : '—';

/**
 * Scrap of one order (issue 19): rejected / made per operation, with the reject reasons
 * (GET /api/work-orders/:id/scrap). Its own component: the order page mounts it in one line.
 */
export function OrderScrap({ id }: { id: string }) {
  const { t } = useT();
  const scrap = useLoad(`scrap:${id}`, () => apiGet(api.kpis.orderScrap, { params: { id } }));
  const data = scrap.data;
  return (
    <section
      className="panel panel--wide"
      data-testid={TEST_IDS.orderScrap}
      data-rejected={data?.rejected ?? ''}
    >
      <h3>
        {t('scrap.title')}
        {data ? ` · ${rate(data.rejected, data.good)}` : ''}
      </h3>
      {scrap.error ? <p>{t('pages.error', { reason: scrap.error.message })}</p> : null}
      {data && data.good + data.rejected === 0 ? (
        <p className="panel__empty">{t('scrap.none')}</p>
      ) : null}
      {data && data.good + data.rejected > 0 ? (
        <table className="table">
          <thead>
            <tr>
              <th>{t('scrap.operation')}</th>
              <th>{t('scrap.machine')}</th>
              <th>{t('scrap.good')}</th>
              <th>{t('scrap.rejected')}</th>
              <th>{t('scrap.rate')}</th>
              <th>{t('scrap.reasons')}</th>
            </tr>
          </thead>
          <tbody>
            {data.operations.map((op) => (
              <tr key={op.id} data-operation={op.id}>
                <td>{op.id}</td>
                <td>{op.machine ?? t('common.none')}</td>
                <td>{op.good}</td>
                <td>{op.rejected}</td>
                <td>{rate(op.rejected, op.good)}</td>
                <td>
                  {op.reasons
                    .map((r) => `${r.reason || t('quality.counter')} ${r.pieces}`)
                    .join(' · ') || t('common.none')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
