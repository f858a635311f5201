import type { TagValue } from '@takt/protocol/live';
import { formatReading } from '../lib/format';
import { numericValue } from '../lib/main-tag';
import { TREND_WINDOW_MS } from '../lib/trend';
import { useTrend } from '../live/use-trend';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';
import { Sparkline } from './Sparkline';
import { THEME } from '../charts/colors';

const TREND_COLOR = THEME.accent;

interface TileTrendProps {
  machineId: string;
  tag: string;
  reading: TagValue;
  serverNowMs: number;
  seedKey: number;
}

function displayValue(reading: TagValue): string {
  const { value } = reading;
  if (typeof value === 'number') return formatReading(value);
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return value ?? '—';
}

/** The tile's main reading: latest value with its unit, and its trend over the last minutes. */
export function TileTrend({ machineId, tag, reading, serverNowMs, seedKey }: TileTrendProps) {
  const points = useTrend(machineId, tag, reading, seedKey);
  const numeric = numericValue(reading);
  return (
    <div className="tile__trend">
      <div className="tile__reading">
        <div className="tile__label">{tag.replaceAll('_', ' ')}</div>
        <div
          className={`tile__value tile__value--${reading.quality}`}
          data-testid={TEST_IDS.tileMainValue}
          data-tag={tag}
          data-value={numeric ?? ''}
          data-quality={reading.quality}
          title={`${tag}: quality ${reading.quality}`}
        >
          {displayValue(reading)}
          {reading.unit ? <span className="tile__unit"> {reading.unit}</span> : null}
          {reading.quality !== 'good' ? <span className="tile__quality">?</span> : null}
        </div>
      </div>
      <Sparkline
        points={points}
        fromMs={serverNowMs - TREND_WINDOW_MS}
        toMs={serverNowMs}
        color={TREND_COLOR}
        testId={TEST_IDS.tileSparkline}
      />
    </div>
  );
}

/** A tile with no numeric tag still has the same places, so the grid stays even. */
export function EmptyTrend() {
  const { t } = useT();
  return (
    <div className="tile__trend">
      <div className="tile__reading">
        <div className="tile__label">{t('tile.noReading')}</div>
        <div className="tile__value" data-testid={TEST_IDS.tileMainValue} data-value="">
          —
        </div>
      </div>
      <div className="sparkline" data-testid={TEST_IDS.tileSparkline} />
    </div>
  );
}
