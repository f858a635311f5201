import type { PlanLoad } from '@takt/protocol/api';
import { useMemo } from 'react';
import { useT } from '../../i18n';
import { loadOption, overloadedDays } from '../../lib/plan-chart';
import { loadLabels } from '../../lib/plan-labels';
import { EChart } from '../EChart';

/** Booked against available hours per line per plant day; an overloaded day's bar is red. */
export function LoadPanel({
  load,
  lines,
  line,
}: {
  load: PlanLoad;
  lines: readonly { id: string; name: string }[];
  line: string | null;
}) {
  const { t } = useT();
  const shownLines = useMemo(
    () =>
      lines.filter(
        (l) => (line === null || l.id === line) && load.lines.some((x) => x.id === l.id),
      ),
    [lines, line, load],
  );
  const option = useMemo(() => loadOption(load, shownLines, loadLabels(t)), [load, shownLines, t]);
  const overloads = overloadedDays(load, line);
  const flagged = overloads.filter((o) => o.days.length > 0);
  return (
    <section className="panel panel--wide" data-testid="plan-load-panel">
      <div className="panel__head">
        <h3>{t('plan.load', { days: load.days.length })}</h3>
        <span
          className={flagged.length > 0 ? 'flag flag--late' : 'panel__note'}
          data-testid="plan-overloads"
        >
          {flagged.length > 0
            ? t('plan.overloaded', {
                days: flagged
                  .map((o) => `${o.line} ${o.days.map((d) => d.slice(5)).join(', ')}`)
                  .join(' · '),
              })
            : t('plan.noOverload')}
        </span>
      </div>
      <div style={{ height: Math.max(240, shownLines.length * 190) }}>
        <EChart
          option={option}
          className="plan-load__chart"
          testId="plan-load"
          data={{
            lines: JSON.stringify(shownLines.map((l) => l.id)),
            days: String(load.days.length),
            overloaded: JSON.stringify(overloads),
          }}
        />
      </div>
    </section>
  );
}
