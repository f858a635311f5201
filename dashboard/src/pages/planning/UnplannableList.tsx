import type { UnplannableView } from '@takt/protocol/api';
import { useT } from '../../i18n';

/** Orders the plan cannot place (no machine, no capacity), each with the server's reason. */
export function UnplannableList({ unplannable }: { unplannable: readonly UnplannableView[] }) {
  const { t } = useT();
  return (
    <section
      className="panel plan-unplannable"
      data-testid="plan-unplannable"
      data-orders={JSON.stringify(unplannable.map((u) => u.order))}
    >
      <h3>{t('plan.unplannable')}</h3>
      {unplannable.length === 0 ? (
        <p className="panel__note">{t('plan.noUnplannable')}</p>
      ) : (
        <table className="report">
          <thead>
            <tr>
              <th>{t('plan.order')}</th>
              <th>{t('plan.operation')}</th>
              <th>{t('plan.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {unplannable.map((u) => (
              <tr
                key={`${u.order}:${u.operation ?? ''}`}
                data-order={u.order}
                data-reason-key={u.reasonKey}
              >
                <td>
                  <a href={`/work-orders/${encodeURIComponent(u.order)}`}>{u.order}</a>
                </td>
                <td>{u.operation ?? t('plan.wholeOrder')}</td>
                <td>{u.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
