import { api } from '@takt/protocol/api';
import { useT } from '../../i18n';
import { apiGet } from '../../lib/api';
import { plantDateTime } from '../../lib/plant-time';
import { usePlant } from '../../plant/PlantContext';
import { TEST_IDS } from '../../testids';
import { useLoad } from '../use-api';

/**
 * The order page's inspections due (issue 23): each inspection due or overdue on the order's
 * running operations (GET /api/spc/due?workOrder=), its due time in the plant's time zone and
 * a link to the characteristic's chart. Recording them is the station's (StationQuality.tsx).
 */
export function OrderInspections({ id }: { id: string }) {
  const { t } = useT();
  const { timeZone } = usePlant();
  const loaded = useLoad(`order-due:${id}`, () =>
    Promise.all([apiGet(api.spc.due, { query: { workOrder: id } }), apiGet(api.spc.list)]),
  );
  if (loaded.error) return null;
  const [due, characteristics] = loaded.data ?? [[], []];
  return (
    <section
      className="panel panel--wide"
      data-testid={TEST_IDS.orderInspections}
      data-loaded={String(loaded.data !== null)}
      data-due={due.length}
    >
      <h3>{t('insp.title')}</h3>
      {loaded.data && due.length === 0 ? <p className="panel__note">{t('insp.none')}</p> : null}
      {due.length > 0 ? (
        <table className="report">
          <thead>
            <tr>
              <th>{t('spc.characteristic')}</th>
              <th>{t('spc.operation')}</th>
              <th>{t('spc.machine')}</th>
              <th>{t('insp.dueAt')}</th>
            </tr>
          </thead>
          <tbody>
            {due.map((d) => (
              <tr
                key={`${d.characteristic}:${d.operation ?? ''}:${d.dueAt}`}
                data-testid={TEST_IDS.orderInspection}
                data-characteristic={d.characteristic}
                data-overdue={String(d.overdue)}
              >
                <td>
                  <a href={`/spc/${encodeURIComponent(d.characteristic)}`}>
                    {characteristics.find((c) => c.id === d.characteristic)?.name ??
                      d.characteristic}
                  </a>
                </td>
                <td>{d.operation ?? '—'}</td>
                <td>{d.machine ?? '—'}</td>
                <td>
                  {plantDateTime(Date.parse(d.dueAt), timeZone)}
                  {d.overdue ? <strong> {t('insp.overdue')}</strong> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
