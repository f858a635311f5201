import type { ConnectionStatus } from '../lib/live-state';
import { plantClock } from '../lib/plant-time';
import { usePlant } from '../plant/PlantContext';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';

interface ConnectionBannerProps {
  status: ConnectionStatus;
  /** Server time of the newest data on screen. */
  lastDataAtMs: number | null;
}

/** Says plainly, across the screen, when what is shown is not live. Absent while live. */
export function ConnectionBanner({ status, lastDataAtMs }: ConnectionBannerProps) {
  const { t } = useT();
  const { timeZone } = usePlant();
  if (status === 'live') return null;
  const text =
    status === 'lost'
      ? lastDataAtMs === null
        ? t('banner.lostUnknown')
        : t('banner.lost', { time: plantClock(lastDataAtMs, timeZone) })
      : t('banner.connecting');
  return (
    <div
      className={`banner banner--${status}`}
      role="alert"
      data-testid={TEST_IDS.connectionBanner}
      data-status={status}
    >
      {text}
    </div>
  );
}
