import { api, NC_STATUSES } from '@takt/protocol/api';
import { useState } from 'react';
import { useT } from '../../i18n';
import { apiGet } from '../../lib/api';
import { TEST_IDS } from '../../testids';
import { useLoad } from '../use-api';
import { NcTable } from './NcTable';
import './nc.css';

type StatusFilter = (typeof NC_STATUSES)[number] | 'all';

/**
 * `/quality/nc`: nonconformance records by status and order (docs/decisions.md, "Issue 23 —
 * nonconformance and rework"), each opened into its disposition or rework entry.
 */
export function NcPage() {
  const { t } = useT();
  const [status, setStatus] = useState<StatusFilter>('open');
  const [order, setOrder] = useState('');
  const [version, setVersion] = useState(0);
  const query = {
    ...(status === 'all' ? {} : { status }),
    ...(order.trim() ? { workOrder: order.trim() } : {}),
  };
  const list = useLoad(`nc:${status}:${order.trim()}:${version}`, () =>
    apiGet(api.nonconformances.list, { query }),
  );
  return (
    <main className="page nc-page" data-testid={TEST_IDS.ncPage} data-loaded={String(!!list.data)}>
      <h2>{t('nc.title')}</h2>
      <div className="nc-page__filters">
        <label>
          {t('nc.status')}
          <select
            name="status"
            value={status}
            onChange={(e) => setStatus(e.target.value as StatusFilter)}
          >
            {(['all', ...NC_STATUSES] as const).map((s) => (
              <option key={s} value={s}>
                {t(`nc.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('nc.order')}
          <input name="order" value={order} onChange={(e) => setOrder(e.target.value)} />
        </label>
      </div>
      {list.error ? <p>{t('pages.error', { reason: list.error.message })}</p> : null}
      {list.data ? (
        <NcTable rows={list.data} onChanged={() => setVersion((v) => v + 1)} />
      ) : (
        <p>{t('pages.loading')}</p>
      )}
    </main>
  );
}
