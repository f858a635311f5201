import type { Nonconformance } from '@takt/protocol/api';
import { useState } from 'react';
import { useT } from '../../i18n';
import { plantDateTime } from '../../lib/plant-time';
import { usePlant } from '../../plant/PlantContext';
import { TEST_IDS } from '../../testids';
import { NcDialog } from './NcDialog';

/** NC rows with their action (decide an open one, record rework on one in rework). */
export function NcTable({
  rows,
  onChanged,
  showOrder = true,
}: {
  rows: readonly Nonconformance[];
  onChanged: () => void;
  showOrder?: boolean;
}) {
  const { t } = useT();
  const { timeZone } = usePlant();
  const [acting, setActing] = useState<Nonconformance | null>(null);
  if (rows.length === 0) return <p className="panel__empty">{t('nc.none')}</p>;
  return (
    <>
      <table className="table">
        <thead>
          <tr>
            <th>#</th>
            {showOrder ? <th>{t('nc.order')}</th> : null}
            <th>{t('nc.operation')}</th>
            <th>{t('nc.machine')}</th>
            <th>{t('nc.quantity')}</th>
            <th>{t('nc.reason')}</th>
            <th>{t('nc.source')}</th>
            <th>{t('nc.status')}</th>
            <th>{t('nc.disposition')}</th>
            <th>{t('nc.inRework')}</th>
            <th>{t('nc.opened')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((nc) => (
            <tr
              key={nc.id}
              data-testid={TEST_IDS.ncRow}
              data-nc={nc.id}
              data-status={nc.status}
              data-in-rework={nc.inRework}
            >
              <td>{nc.id}</td>
              {showOrder ? (
                <td>
                  <a href={`/work-orders/${encodeURIComponent(nc.workOrder)}`}>{nc.workOrder}</a>
                </td>
              ) : null}
              <td>{nc.operation}</td>
              <td>{nc.machine ?? t('nc.noneNamed')}</td>
              <td>{nc.quantity}</td>
              <td>{nc.reason}</td>
              <td>{t(`nc.source.${nc.source}`)}</td>
              <td>{t(`nc.status.${nc.status}`)}</td>
              <td>
                {nc.disposition ? t(`nc.disposition.${nc.disposition}`) : ''}
                {nc.approver ? ` · ${nc.approver}` : ''}
              </td>
              <td>{nc.inRework}</td>
              <td>
                {plantDateTime(Date.parse(nc.openedAt), timeZone)} · {nc.openedBy}
              </td>
              <td>
                {nc.status !== 'closed' ? (
                  <button type="button" name="act" onClick={() => setActing(nc)}>
                    {nc.status === 'open' ? t('nc.decide') : t('nc.recordRework')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {acting ? (
        <NcDialog
          nc={acting}
          onClose={() => setActing(null)}
          onDone={() => {
            setActing(null);
            onChanged();
          }}
        />
      ) : null}
    </>
  );
}
