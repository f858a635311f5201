import { useMemo } from 'react';
import { PlainMessage } from '../components/PlainMessage';
import { useT } from '../i18n';
import type { GanttInput, GanttOperation } from '../lib/gantt';
import { plantDateTime } from '../lib/plant-time';
import { usePlant } from '../plant/PlantContext';
import { TEST_IDS } from '../testids';
import { GanttChart } from './GanttChart';
import { labelOf } from './labels';
import { ApiError, getJson, useLoad } from './use-api';

interface OrderView {
  id: string;
  product: string;
  customer: string | null;
  quantity: number;
  createdAt: string;
  dueAt: string | null;
  status: string;
  good: number;
  rejected: number;
  progress: number;
  eta: string | null;
  lateRisk: boolean;
  stalled: boolean;
  health: { score: number; parts: { schedule: number; flow: number; quality: number } };
  operations: GanttOperation[];
  history: {
    time: string;
    kind: string;
    operation: string | null;
    good: string | number | null;
    rejected: string | number | null;
    detail: Record<string, unknown> | null;
  }[];
}

interface OrderOee {
  operations: { id: string; runs: { from: string; to: string }[] }[];
}

async function loadOrder(id: string) {
  const path = `/api/work-orders/${encodeURIComponent(id)}`;
  const [view, oee] = await Promise.all([
    getJson<OrderView>(path),
    getJson<OrderOee>(`${path}/oee`),
  ]);
  return { view, oee, nowMs: Date.now() };
}

/** `/work-orders/<id>`: the order's figures, operations Gantt, operations table, scans and history. */
export function WorkOrderPage({ id }: { id: string }) {
  const { t } = useT();
  const order = useLoad(`order:${id}`, () => loadOrder(id));
  if (order.error instanceof ApiError && order.error.status === 404)
    return <PlainMessage text={t('wo.notFound', { id })} />;
  return (
    <main className="page" data-testid={TEST_IDS.workOrder} data-order-id={id}>
      <h2>{t('page.workOrder', { id })}</h2>
      {order.data ? (
        <OrderDetail {...order.data} />
      ) : (
        <p>
          {order.error ? t('pages.error', { reason: order.error.message }) : t('pages.loading')}
        </p>
      )}
    </main>
  );
}

function OrderDetail({ view, oee, nowMs }: { view: OrderView; oee: OrderOee; nowMs: number }) {
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
  const facts: [string, string][] = [
    [t('wo.product'), view.product],
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
        <section className="panel panel--wide">
          <h3>{t('wo.operations')}</h3>
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
                  <td>{when(o.startedAt)}</td>
                  <td>{when(o.completedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <History view={view} />
      </div>
    </>
  );
}

function History({ view }: { view: OrderView }) {
  const { t } = useT();
  const { timeZone } = usePlant();
  const describe = (h: OrderView['history'][number]): [string, string] => {
    const d = h.detail ?? {};
    const station = typeof d.station === 'string' ? t('wo.station', { station: d.station }) : '';
    if (h.kind === 'created') return [t('wo.created'), ''];
    if (h.kind === 'count')
      return [
        t('wo.countEvent', { good: Number(h.good ?? 0), rejected: Number(h.rejected ?? 0) }),
        '',
      ];
    if (h.kind === 'refused')
      return [t('wo.refused'), [station, String(d.reason ?? '')].filter(Boolean).join(' · ')];
    if (h.kind === 'scan') {
      const action = labelOf(t, 'action', String(d.action ?? ''));
      const extra = [
        station,
        typeof d.code === 'string' ? d.code : '',
        typeof d.operator === 'string' ? d.operator : '',
      ];
      return [t('wo.scanAction', { action }), extra.filter(Boolean).join(' · ')];
    }
    return [h.kind, ''];
  };
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
          {view.history.map((h, i) => {
            const [event, detail] = describe(h);
            return (
              <tr key={`${h.time}-${i}`} data-kind={h.kind}>
                <td>{plantDateTime(Date.parse(h.time), timeZone)}</td>
                <td>{event}</td>
                <td>{h.operation ?? ''}</td>
                <td>{detail}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
