import type { SpcChart } from '@takt/protocol/api';
import { useT } from '../../i18n';
import { cpkClass } from './SpcListPage';
import { formatIndex } from './spc-format';

const INDICES = ['cp', 'cpk', 'pp', 'ppk'] as const;
const NAMES = { cp: 'Cp', cpk: 'Cpk', pp: 'Pp', ppk: 'Ppk' } as const;

/** Cp, Cpk (σ within) and Pp, Ppk (overall σ), each with its 95 % confidence interval. */
export function CapabilityPanel({ chart }: { chart: SpcChart }) {
  const { t } = useT();
  return (
    <section className="panel" data-testid="spc-capability">
      <h3>{t('spc.capability')}</h3>
      <div className="spc-indices">
        {INDICES.map((k) => {
          const ci = chart.ci[k];
          return (
            <div
              key={k}
              className="spc-index"
              data-testid="spc-index"
              data-index={k}
              data-value={String(chart[k])}
            >
              <span className="spc-index__name">{NAMES[k]}</span>
              <span className={`spc-index__value ${k.startsWith('c') ? cpkClass(chart[k]) : ''}`}>
                {formatIndex(chart[k])}
              </span>
              <span className="spc-index__ci">
                {ci ? t('spc.ci', { lo: formatIndex(ci[0]), hi: formatIndex(ci[1]) }) : '\u00a0'}
              </span>
            </div>
          );
        })}
      </div>
    </section>
  );
}
