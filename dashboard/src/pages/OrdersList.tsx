import { api } from '@takt/protocol/api';
import { useT } from '../i18n';
import { labelOf } from './labels';
import { apiGet } from '../lib/api';
import { plantDateTime } from '../lib/plant-time';
import { usePlant } from '../plant/PlantContext';
import { TEST_IDS } from '../testids';
import { useLoad } from './use-api';

/** Open work orders, each a link to its detail page. */
export function OrdersList() {
  const { t } = useT();
  const { timeZone } = usePlant();
  const orders = useLoad('orders', () => apiGet(api.orders.list, { query: { limit: 50 } }));
  const when = (iso: string | null) =>
    iso ? plantDateTime(Date.parse(iso), timeZone) : t('pages.none');
  return (
    <section className="panel panel--wide">
      <h3>{t('analytics.orders')}</h3>
      {orders.error ? (
        <p className="panel__empty">{t('pages.error', { reason: orders.error.message })}</p>
      ) : null}
      {orders.data?.length === 0 ? <p className="panel__empty">{t('analytics.noOrders')}</p> : null}
      {orders.data && orders.data.length > 0 ? (
        <table className="report">
          <thead>
            <tr>
              <th>{t('wo.order')}</th>
              <th>{t('wo.product')}</th>
              <th>{t('wo.customer')}</th>
              <th>{t('wo.progress')}</th>
              <th>{t('wo.status')}</th>
              <th>{t('wo.due')}</th>
              <th>{t('wo.eta')}</th>
            </tr>
          </thead>
          <tbody>
            {orders.data.map((o) => (
              <tr key={o.id} className={o.lateRisk ? 'late' : undefined}>
                <td>
                  <a
                    href={`/work-orders/${encodeURIComponent(o.id)}`}
                    data-testid={TEST_IDS.orderLink}
                  >
                    {o.id}
                  </a>
                </td>
                <td>{o.product}</td>
                <td>{o.customer ?? t('pages.none')}</td>
                <td className="num">
                  {o.good} / {o.quantity} ({Math.round(o.progress * 100)} %)
                </td>
                <td>{labelOf(t, 'orderStatus', o.status)}</td>
                <td>{when(o.dueAt)}</td>
                <td>{when(o.eta)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
