import { api, type PlanLoad, type PlanView, type PromiseAnswer } from '@takt/protocol/api';
import { useState } from 'react';
import { useT } from '../../i18n';
import { apiGet } from '../../lib/api';
import { plantDateTime } from '../../lib/plant-time';
import { usePlanVersion } from '../../live/LiveContext';
import { useNow } from '../../live/use-now';
import { usePlant } from '../../plant/PlantContext';
import { useLoad } from '../use-api';
import { Calculator } from './Calculator';
import { LoadPanel } from './LoadPanel';
import { PlanGanttPanel } from './PlanGanttPanel';
import { UnplannableList } from './UnplannableList';
import './planning.css';

/** The days of line load shown. */
export const LOAD_DAYS = 14;

/**
 * The Planning page (`/planning`, issue 21): the plant Gantt of the finite-capacity plan, the
 * line load for the next 14 days, the orders the plan cannot place and why, and the delivery-
 * date calculator whose answer is drawn on the Gantt. Read again on every `plan:changed`.
 */
export function PlanningPage({ manages }: { manages: boolean }) {
  const { t, lang } = useT();
  const { plant } = usePlant();
  const version = usePlanVersion();
  // The now-line moves by the minute: redrawing the Gantt every second would be waste.
  const nowMs = useNow(60_000);
  const plan = useLoad<PlanView>(`plan:${lang}:${version}`, () =>
    apiGet(api.planning.plan, { query: { lang } }),
  );
  const load = useLoad<PlanLoad>(`load:${version}`, () =>
    apiGet(api.planning.load, { query: { days: LOAD_DAYS } }),
  );
  const [line, setLine] = useState<string | null>(null);
  const [answer, setAnswer] = useState<PromiseAnswer | null>(null);
  const lines = plant?.lines.map((l) => ({ id: l.id, name: l.name })) ?? [];
  const products = plant?.products.map((p) => ({ id: p.id, name: p.name })) ?? [];
  const error = plan.error ?? load.error;

  return (
    <main
      className="page page--planning"
      data-testid="planning-page"
      data-loaded={String(plan.data !== null && load.data !== null)}
      data-computed-at={plan.data?.computedAt ?? ''}
    >
      <div className="pickers">
        <h2>{t('plan.title')}</h2>
        <label>
          {t('plan.line')}{' '}
          <select
            data-testid="plan-line"
            value={line ?? ''}
            onChange={(e) => setLine(e.target.value === '' ? null : e.target.value)}
          >
            <option value="">{t('plan.allLines')}</option>
            {lines.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
        {plan.data ? (
          <span className="pickers__range">
            {t('plan.computedAt', {
              time: plantDateTime(Date.parse(plan.data.computedAt), plan.data.timeZone),
            })}
          </span>
        ) : null}
      </div>
      {error ? (
        <p className="flag flag--late" data-testid="plan-error">
          {t('plan.failed', { reason: error.message })}
        </p>
      ) : null}
      {!plan.data || !load.data ? (
        error ? null : (
          <p className="page-loading">{t('common.loading')}</p>
        )
      ) : (
        <div className="panels plan-panels">
          <PlanGanttPanel plan={plan.data} line={line} answer={answer} nowMs={nowMs} />
          {manages ? (
            <Calculator
              products={products}
              timeZone={plan.data.timeZone}
              answer={answer}
              onAnswer={setAnswer}
            />
          ) : null}
          <UnplannableList unplannable={plan.data.unplannable} />
          <LoadPanel load={load.data} lines={lines} line={line} />
        </div>
      )}
    </main>
  );
}
