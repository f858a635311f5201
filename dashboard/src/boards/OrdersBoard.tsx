import { api } from '@takt/protocol/api';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useElementSize } from '../live/use-element-size';
import {
  byUrgency,
  etaSlipMs,
  pageCount,
  pageOf,
  routingProgress,
  type BoardOrder,
} from '../lib/order-urgency';
import { plantDateTime } from '../lib/plant-time';

/** MM-DD HH:MM in plant time: the year is this year's on a wall board, and space is short. */
const shortDateTime = (iso: string, timeZone: string) =>
  plantDateTime(Date.parse(iso), timeZone).slice(5);
import { usePlant } from '../plant/PlantContext';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';
import { useOrdersVersion } from '../live/LiveContext';
import { usePollRoute } from './use-poll';

/** Orders move by minutes; a quarter minute keeps a new order's wait short. */
export const ORDERS_POLL_MS = 15_000;
/** More orders than rows: each page shows this long, then the next (a TV never scrolls). */
export const ORDERS_PAGE_MS = 10_000;
/** At 1080p; rows scale with the screen (keep in step with boards.css .orders__row). */
const ROW_PX = 78;
const HEAD_PX = 110; // the column titles and the page footer

function OrderRow({ order, timeZone }: { order: BoardOrder; timeZone: string }) {
  const { t } = useT();
  const slip = etaSlipMs(order);
  const op = order.currentOperation;
  const routing = routingProgress(order);
  return (
    <tr
      className={`orders__row${order.stalled || order.lateRisk ? ' orders__row--risk' : ''}`}
      data-testid={TEST_IDS.orderRow}
      data-order-id={order.id}
      data-late-risk={String(order.lateRisk)}
      data-stalled={String(order.stalled)}
    >
      <td className="orders__id">{order.id}</td>
      <td>{order.customer ?? t('common.none')}</td>
      <td>{order.product ?? t('common.none')}</td>
      <td className="orders__op">
        {op ? (
          <>
            {op.id} · {op.machine}{' '}
            <span className={`op-status op-status--${op.status}`}>
              {t(
                `opStatus.${op.status === 'running' || op.status === 'paused' ? op.status : 'pending'}`,
              )}
            </span>
          </>
        ) : (
          t('opStatus.done')
        )}
        {routing.length > 0 ? (
          <span className="orders__routing" data-testid={TEST_IDS.orderRouting}>
            {routing.map((r) => t('orders.opProgress', { op: r.id, pct: r.pct })).join(' › ')}
          </span>
        ) : null}
      </td>
      <td className="orders__progress">
        <span className="progress">
          <span
            className={`progress__fill${order.stalled || order.lateRisk ? ' progress__fill--risk' : ''}`}
            style={{ width: `${Math.round(order.progress * 100)}%` }}
          />
        </span>
        <span className="orders__count">
          {order.good} / {order.quantity}
        </span>
      </td>
      <td className={slip !== null && slip > 0 ? 'orders__eta orders__eta--late' : 'orders__eta'}>
        {order.eta ? shortDateTime(order.eta, timeZone) : t('orders.noEta')}
      </td>
      <td className="orders__due">
        {order.dueAt ? shortDateTime(order.dueAt, timeZone) : t('common.none')}
      </td>
      <td className="orders__flags">
        {order.stalled ? <span className="flag flag--stalled">{t('orders.stalled')}</span> : null}
        {order.lateRisk ? <span className="flag flag--late">{t('orders.lateRisk')}</span> : null}
      </td>
    </tr>
  );
}

/**
 * Work-order progress (issue 8): every open order, most urgent first (stalled and late-risk,
 * then by due date), polled every 15 s; pages turn every 10 s when they do not all fit.
 */
export function OrdersBoard() {
  const { t } = useT();
  const { timeZone } = usePlant();
  // Polled, and asked again at once when an order changes (live/order-changes.ts).
  const changed = useOrdersVersion();
  const orders = usePollRoute(api.orders.list, { query: { limit: 500 } }, ORDERS_POLL_MS, changed);
  const ref = useRef<HTMLElement>(null);
  const size = useElementSize(ref);
  const scale = Math.max(1, size.width / 1900);
  const rows = Math.max(1, Math.floor((size.height - HEAD_PX * scale) / (ROW_PX * scale)));
  const sorted = useMemo(
    () => byUrgency((orders.data ?? []).filter((o) => o.status !== 'completed')),
    [orders.data],
  );
  const pages = pageCount(sorted.length, rows);
  const [page, setPage] = useState(0);
  useEffect(() => {
    if (pages < 2) return;
    const timer = window.setInterval(() => setPage((p) => p + 1), ORDERS_PAGE_MS);
    return () => window.clearInterval(timer);
  }, [pages]);
  const shown = pageOf(sorted, rows, page);
  return (
    <main
      className="orders-board"
      ref={ref}
      data-testid={TEST_IDS.ordersBoard}
      data-count={sorted.length}
      data-loaded={String(orders.data !== null)}
      style={{ '--s': scale } as React.CSSProperties}
    >
      {orders.data && sorted.length === 0 ? (
        <p className="board__empty">{t('orders.none')}</p>
      ) : (
        <table className="orders">
          <thead>
            <tr>
              <th>{t('orders.order')}</th>
              <th>{t('orders.customer')}</th>
              <th>{t('orders.product')}</th>
              <th>{t('orders.operation')}</th>
              <th>{t('orders.progress')}</th>
              <th>{t('orders.eta')}</th>
              <th>{t('orders.due')}</th>
              <th>{t('orders.flags')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((o) => (
              <OrderRow key={o.id} order={o} timeZone={timeZone} />
            ))}
          </tbody>
        </table>
      )}
      <footer
        className="orders__foot"
        data-testid={TEST_IDS.ordersPage}
        data-page={page % pages}
        data-pages={pages}
        data-rows={rows}
      >
        {t('orders.count', { count: sorted.length })}
        {pages > 1 ? ` · ${t('orders.page', { page: (page % pages) + 1, pages })}` : ''}
      </footer>
    </main>
  );
}
