import { useT } from '../i18n';
import { TEST_IDS } from '../testids';

/** `/analytics` (to be built: OEE trend, Pareto, six big losses, shift report, tag trends). */
export function AnalyticsPage() {
  const { t } = useT();
  return (
    <main className="page" data-testid={TEST_IDS.analytics}>
      <h2>{t('page.analytics')}</h2>
    </main>
  );
}
