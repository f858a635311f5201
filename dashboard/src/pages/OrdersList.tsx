import { useState } from 'react';
import { api, ORDER_STATUSES, type OrderStatus } from '@takt/protocol/api';
import { useT } from '../i18n';
import { labelOf } from './labels';
import { apiGet } from '../lib/api';
import { plantDateTime } from '../lib/plant-time';
import { downloadFile, type Progress } from '../lib/transfer';
import { useOrdersVersion } from '../live/LiveContext';
import { usePlant } from '../plant/PlantContext';
import { TEST_IDS } from '../testids';
import { useLoad } from './use-api';

/** Open work orders, each a link to its detail page. */
export function OrdersList() {
  const { t } = useT();
  const { timeZone } = usePlant();
  // Loaded again when an order changes on the server (live/order-changes.ts).
  const changed = useOrdersVersion();
  const orders = useLoad(`orders:${changed}`, () =>
    apiGet(api.orders.list, { query: { limit: 50 } }),
  );
  const when = (iso: string | null) =>
    iso ? plantDateTime(Date.parse(iso), timeZone) : t('pages.none');
  return (
    <section className="panel panel--wide">
      <h3>{t('analytics.orders')}</h3>
      <p>
        <a href="/orders/import" data-testid="orders-import-link">
          {t('import.link')}
        </a>
      </p>
      <OrdersExport />
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

/**
 * The ERP export (GET /api/work-orders/export): finished operations of the last 31 days,
 * optionally of orders in one status, as CSV or xlsx, with a download bar.
 */
function OrdersExport() {
  const { t } = useT();
  const [status, setStatus] = useState<OrderStatus | ''>('completed');
  const [format, setFormat] = useState<'csv' | 'xlsx'>('xlsx');
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setError(null);
    setProgress({ loaded: 0, total: null });
    const query = new URLSearchParams({ format, ...(status ? { status } : {}) });
    try {
      await downloadFile(
        `${api.orderExport.export.path}?${query}`,
        `work-orders.${format}`,
        setProgress,
      );
    } catch (e) {
      setError(t('export.failed', { reason: (e as Error).message }));
    } finally {
      setProgress(null);
    }
  };
  return (
    <div className="orders-export">
      <label>
        {t('export.status')}{' '}
        <select value={status} onChange={(e) => setStatus(e.target.value as OrderStatus | '')}>
          <option value="">{t('export.allStatuses')}</option>
          {ORDER_STATUSES.map((s) => (
            <option key={s} value={s}>
              {labelOf(t, 'orderStatus', s)}
            </option>
          ))}
        </select>
      </label>{' '}
      <label>
        {t('export.format')}{' '}
        <select value={format} onChange={(e) => setFormat(e.target.value as 'csv' | 'xlsx')}>
          <option value="xlsx">XLSX</option>
          <option value="csv">CSV</option>
        </select>
      </label>{' '}
      <button
        type="button"
        disabled={progress !== null}
        onClick={() => void download()}
        data-testid="orders-export"
      >
        {t('export.download')}
      </button>
      {progress ? (
        <>
          {' '}
          <progress
            max={progress.total ?? undefined}
            value={progress.total === null ? undefined : progress.loaded}
          />{' '}
          {t('export.downloading')}
        </>
      ) : null}
      {error ? <p className="panel__empty">{error}</p> : null}
    </div>
  );
}
