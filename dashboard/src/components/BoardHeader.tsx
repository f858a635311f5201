import type { MachineSnapshot } from '@takt/protocol/live';
import type { ConnectionStatus } from '../lib/live-state';
import { formatClock } from '../lib/format';
import { countByState, stateStyle, SUMMARY_ORDER } from '../lib/machine-state';
import type { Account } from '../App';
import { TEST_IDS } from '../testids';

interface BoardHeaderProps {
  title: string | null;
  machines: readonly MachineSnapshot[];
  status: ConnectionStatus;
  serverNowMs: number;
  /** A signed-in user: name and sign-out (absent on a kiosk screen). */
  account?: Account | undefined;
}

const STATUS_TEXT: Record<ConnectionStatus, string> = {
  live: 'Live',
  connecting: 'Connecting',
  lost: 'Offline',
};

function StateSummary({ machines }: Pick<BoardHeaderProps, 'machines'>) {
  const counts = countByState(machines);
  return (
    <div className="header__summary">
      {SUMMARY_ORDER.filter((state) => counts[state] > 0).map((state) => (
        <span key={state} className="summary-chip" data-state={state}>
          <span className="summary-chip__dot" style={{ background: stateStyle(state).color }} />
          <span className="summary-chip__count">{counts[state]}</span>
          <span className="summary-chip__label">{stateStyle(state).shortLabel}</span>
        </span>
      ))}
    </div>
  );
}

export function BoardHeader({ title, machines, status, serverNowMs, account }: BoardHeaderProps) {
  return (
    <header className="header">
      <div className="header__title">
        <span className="header__brand">Takt</span>
        <h1 className="header__site" data-testid={TEST_IDS.siteName}>
          {title ?? 'Plant board'}
        </h1>
      </div>
      <StateSummary machines={machines} />
      <span
        className={`conn conn--${status}`}
        data-testid={TEST_IDS.connectionStatus}
        data-status={status}
      >
        <span className="conn__dot" />
        {STATUS_TEXT[status]}
      </span>
      <time className="clock" data-testid={TEST_IDS.clock}>
        {formatClock(serverNowMs)}
      </time>
      {account?.manages && (
        <a className="header__account" href="/access" data-testid={TEST_IDS.accessLink}>
          Links
        </a>
      )}
      {account && (
        <button
          className="header__account"
          type="button"
          title="Sign out"
          data-testid={TEST_IDS.signOut}
          onClick={() => void account.signOut()}
        >
          {account.name} · sign out
        </button>
      )}
    </header>
  );
}
