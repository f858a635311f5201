import { andonOrder } from '../lib/alerts-state';
import { useLive } from '../live/LiveContext';
import { TEST_IDS } from '../testids';

/** Open alerts, worst first (to be completed: time open, by whom, announcing new ones). */
export function AndonBoard() {
  const { alerts } = useLive();
  return (
    <main className="andon-board" data-testid={TEST_IDS.andonBoard}>
      <ul>
        {andonOrder(alerts).map((a) => (
          <li key={a.id} data-alert-id={a.id} data-severity={a.severity}>
            {a.message}
          </li>
        ))}
      </ul>
    </main>
  );
}
