import { useT } from '../i18n';
import { TEST_IDS } from '../testids';

/** `/work-orders/<id>` (to be built: operations Gantt, counts, scans, history). */
export function WorkOrderPage({ id }: { id: string }) {
  const { t } = useT();
  return (
    <main className="page" data-testid={TEST_IDS.workOrder} data-order-id={id}>
      <h2>{t('page.workOrder', { id })}</h2>
    </main>
  );
}
