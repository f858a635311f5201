import type { ConnectionStatus } from '../lib/live-state';
import { formatClock } from '../lib/format';
import { TEST_IDS } from '../testids';

interface ConnectionBannerProps {
  status: ConnectionStatus;
  /** Server time of the newest data on screen. */
  lastDataAtMs: number | null;
}

/** Says plainly, across the screen, when what is shown is not live. Absent while live. */
export function ConnectionBanner({ status, lastDataAtMs }: ConnectionBannerProps) {
  if (status === 'live') return null;
  const text =
    status === 'lost'
      ? `Live connection lost — showing data from ${lastDataAtMs === null ? 'unknown time' : formatClock(lastDataAtMs)}`
      : 'Connecting to live data…';
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
