import { api, type ApiResponse } from '@takt/protocol/api';
import { SERVER_MESSAGES, renderMessage, type Message } from '@takt/protocol/messages';
import { useMemo, useState } from 'react';
import { PlainMessage } from '../components/PlainMessage';
import { useT } from '../i18n';
import type { MessageKey } from '../i18n/translate';
import { apiGet } from '../lib/api';
import type { GanttInput } from '../lib/gantt';
import { useOrdersVersion } from '../live/LiveContext';
import { plantDateTime } from '../lib/plant-time';
import { travellerUrl } from '../lib/print-links';
import { usePlant } from '../plant/PlantContext';
import { TEST_IDS } from '../testids';
import { GanttChart } from './GanttChart';
import { labelOf } from './labels';
import { OrderChangeHistory, OrderChanges } from './OrderChanges';
import { ApiError, useLoad } from './use-api';
import { OrderScrap } from './OrderScrap';
import { OrderNc } from './nc/OrderNc';
import { OrderInspections } from './spc/OrderInspections';

type OrderView = ApiResponse<typeof api.orders.get>;
type OrderOee = ApiResponse<typeof api.orders.oee>;
type OrderHistory = ApiResponse<typeof api.orders.history>;
type OrderOperation = OrderView['operations'][number];

async function loadOrder(id: string) {
  const [view, oee, history] = await Promise.all([
    apiGet(api.orders.get, { params: { id } }),
    apiGet(api.orders.oee, { params: { id } }),
    apiGet(api.orders.history, { params: { id } }),
  ]);
  return { view, oee, history, nowMs: Date.now() };
}

/** `/work-orders/<id>`: the order's figures, operations Gantt, operations table, scans and history. */
export function WorkOrderPage({ id }: { id: string }) {
  const { t } = useT();
  const [version, setVersion] = useState(0);
  // A change made elsewhere (another screen, an import) loads the order again.
  const changed = useOrdersVersion(id);
  const order = useLoad(`order:${id}:${version}:${changed}`, () => loadOrder(id));
  if (order.error instanceof ApiError && order.error.status === 404)
    return <PlainMessage text={t('wo.notFound', { id })} />;
  return (
    <main className="page" data-testid={TEST_IDS.workOrder} data-order-id={id}>
      <h2>{t('page.workOrder', { id })}</h2>
      {order.data ? (
        <>
          <OrderDetail {...order.data} />
          <OrderChanges view={order.data.view} onChanged={() => setVersion((v) => v + 1)} />
          <OrderChangeHistory history={order.data.history} />
        </>
      ) : (
        <p>
          {order.error ? t('pages.error', { reason: order.error.message }) : t('pages.loading')}
        </p>
      )}
    </main>
  );
}

function OrderDetail({
  view,
  oee,
  history,
  nowMs,
}: {
  view: OrderView;
  oee: OrderOee;
  history: OrderHistory;
  nowMs: number;
}) {
  const { t } = useT();
  const { plant, timeZone } = usePlant();
  const when = (iso: string | null) =>
    iso ? plantDateTime(Date.parse(iso), timeZone) : t('pages.none');
  const input = useMemo(
    (): GanttInput => ({
      operations: view.operations,
      runs: new Map(oee.operations.map((o) => [o.id, o.runs])),
      quantity: view.quantity,
      idealCycleMs: plant?.products.find((p) => p.id === view.product)?.idealCycleMs ?? null,
      createdAtMs: Date.parse(view.createdAt),
      nowMs,
    }),
    [view, oee, plant, nowMs],
  );
  const pct = (x: number) => `${Math.round(x * 100)}`;
  const rate = (o: OrderOperation) =>
    o.ratePerHour === null || o.status === 'done'
      ? t('pages.none')
      : t(o.rateSource === 'ideal' ? 'wo.rateIdeal' : 'wo.rateRecent', {
          rate: Math.round(o.ratePerHour),
        });
  const facts: [string, string][] = [
    [t('wo.product'), view.product ?? t('pages.none')],
    [t('wo.customer'), view.customer ?? t('pages.none')],
    [t('wo.status'), labelOf(t, 'orderStatus', view.status)],
    [t('wo.progress'), `${view.good} / ${view.quantity} (${pct(view.progress)} %)`],
    [t('wo.due'), when(view.dueAt)],
    [t('wo.eta'), when(view.eta)],
    [
      t('wo.health'),
      `${view.health.score} — ${t('wo.healthParts', {
        schedule: pct(view.health.parts.schedule),
        flow: pct(view.health.parts.flow),
        quality: pct(view.health.parts.quality),
      })}`,
    ],
  ];
  return (
    <>
      <dl className="facts" data-testid={TEST_IDS.woSummary} data-status={view.status}>
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        {view.lateRisk ? <div className="flag flag--late">{t('wo.lateRisk')}</div> : null}
        {view.stalled ? <div className="flag flag--stalled">{t('wo.stalled')}</div> : null}
      </dl>
      <div className="panels">
        <section className="panel panel--wide">
          <h3>{t('wo.gantt')}</h3>
          <p className="panel__note">
            <span className="key key--planned" /> {t('wo.planned')}{' '}
            <span className="key key--actual" /> {t('wo.actual')}
          </p>
          <GanttChart
            input={input}
            dueMs={view.dueAt ? Date.parse(view.dueAt) : null}
            etaMs={view.eta ? Date.parse(view.eta) : null}
            timeZone={timeZone}
          />
        </section>
        <OrderScrap id={view.id} />
        <OrderNc
          id={view.id}
          operations={view.operations.map((o) => o.id)}
          onChanged={() => undefined}
        />
        <OrderInspections id={view.id} />
        <section className="panel panel--wide">
          <div className="panel__head">
            <h3>{t('wo.operations')}</h3>
            <a href={travellerUrl(view.id)} target="_blank" rel="noopener">
              {t('wo.printTraveller')}
            </a>
          </div>
          <table className="report">
            <thead>
              <tr>
                {(
                  [
                    'wo.operation',
                    'wo.machine',
                    'wo.status',
                    'wo.good',
                    'wo.rejected',
                    'wo.progress',
                    'wo.rate',
                    'wo.eta',
                    'wo.started',
                    'wo.completed',
                  ] as const
                ).map((k) => (
                  <th key={k}>{t(k)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {view.operations.map((o) => (
                <tr
                  key={o.id}
                  data-testid={TEST_IDS.woOperation}
                  data-operation={o.id}
                  data-status={o.status}
                >
                  <td>{o.id}</td>
                  <td>{o.machine}</td>
                  <td>{labelOf(t, 'opStatus', o.status)}</td>
                  <td className="num" data-good={o.good}>
                    {o.good}
                  </td>
                  <td className="num">{o.rejected}</td>
                  <td className="num" data-progress={o.progress}>
                    {pct(o.progress)} %
                  </td>
                  <td className="num">{rate(o)}</td>
                  <td>{o.status === 'done' ? '' : when(o.eta)}</td>
                  <td>{when(o.startedAt)}</td>
                  <td>{when(o.completedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <History history={history} />
      </div>
    </>
  );
}

interface HistoryRow {
  time: string;
  kind: string;
  operation: string | null;
  event: string;
  detail: string;
}

/** Scans and events one by one, counts one row per operation and hour; newest first. */
function History({ history }: { history: OrderHistory }) {
  const { t, lang } = useT();
  const { timeZone } = usePlant();
  // A refusal's reason from its key in the screen's language (docs/decisions.md, "Issue 19 —
  // refusals and stop labels in the reader's language"); a key unknown here: the server's text.
  const reasonOf = (h: OrderHistory['events'][number]): string =>
    h.messageKey && SERVER_MESSAGES[h.messageKey]
      ? renderMessage(
          SERVER_MESSAGES,
          { key: h.messageKey, params: h.messageParams ?? {} } as Message,
          lang,
          { timeZone },
        )
      : (h.message ?? String(h.detail?.reason ?? ''));
  const eventRow = (h: OrderHistory['events'][number]): HistoryRow => {
    const d = h.detail ?? {};
    const station = typeof d.station === 'string' ? t('wo.station', { station: d.station }) : '';
    const base = { time: h.time, kind: h.kind, operation: h.operation };
    if (h.kind === 'created') return { ...base, event: t('wo.created'), detail: '' };
    if (h.kind === 'refused')
      return {
        ...base,
        event: t('wo.refused'),
        detail: [station, reasonOf(h)].filter(Boolean).join(' · '),
      };
    if (h.kind === 'scan') {
      const action = labelOf(t, 'action', String(d.action ?? ''));
      const extra = [station, d.code, d.operator].filter((x) => typeof x === 'string' && x);
      return { ...base, event: t('wo.scanAction', { action }), detail: extra.join(' · ') };
    }
    if (h.kind === 'changed')
      return {
        ...base,
        event: t(`oc.kind.${h.change ?? 'edit'}` as MessageKey),
        detail: h.by ?? '',
      };
    return { ...base, event: h.kind, detail: '' };
  };
  const rows: HistoryRow[] = [
    ...history.events.map(eventRow),
    ...history.counts.map((c) => ({
      time: c.hourStart,
      kind: 'count',
      operation: c.operation,
      event: t('wo.countEvent', { good: c.good, rejected: c.rejected }),
      detail: t('wo.countHour', { machine: c.machine ?? '' }),
    })),
  ].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  return (
    <section className="panel panel--wide">
      <h3>{t('wo.history')}</h3>
      <table className="report" data-testid={TEST_IDS.woHistory}>
        <thead>
          <tr>
            <th>{t('wo.time')}</th>
            <th>{t('wo.event')}</th>
            <th>{t('wo.operation')}</th>
            <th>{t('wo.detail')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={`${r.time}-${i}`} data-kind={r.kind}>
              <td>{plantDateTime(Date.parse(r.time), timeZone)}</td>
              <td>{r.event}</td>
              <td>{r.operation ?? ''}</td>
              <td>{r.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
