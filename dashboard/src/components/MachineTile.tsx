import type { MachineSnapshot } from '@takt/protocol/live';
import { formatAge, formatCount, formatDuration } from '../lib/format';
import { stateStyle } from '../lib/machine-state';
import { mainTag } from '../lib/main-tag';
import { ageMs, isStale } from '../lib/staleness';
import { TEST_IDS } from '../testids';
import { EmptyTrend, TileTrend } from './TileTrend';

interface MachineTileProps {
  machine: MachineSnapshot;
  serverNowMs: number;
  /** Bumps on every (re)connect snapshot; trends re-read their history then. */
  seedKey: number;
}

function StateBand({ machine, serverNowMs }: Omit<MachineTileProps, 'seedKey'>) {
  const style = stateStyle(machine.state);
  const inState = ageMs(machine.stateSince, serverNowMs);
  return (
    <div className="tile__band" style={{ background: style.color, color: style.ink }}>
      <span className="tile__state" data-testid={TEST_IDS.tileState}>
        {style.label}
      </span>
      {machine.stateReason ? <span className="tile__reason">{machine.stateReason}</span> : null}
      {inState !== null ? <span className="tile__since">{formatDuration(inState)}</span> : null}
    </div>
  );
}

function Counts({ machine }: Pick<MachineTileProps, 'machine'>) {
  const { good, reject } = machine.counts;
  return (
    <div className="tile__counts">
      <div className="tile__good">
        <span className="tile__good-value" data-testid={TEST_IDS.tileGoodCount} data-value={good}>
          {formatCount(good)}
        </span>
        <span className="tile__label">good today</span>
      </div>
      <div className={reject > 0 ? 'tile__reject tile__reject--some' : 'tile__reject'}>
        <span
          className="tile__reject-value"
          data-testid={TEST_IDS.tileRejectCount}
          data-value={reject}
        >
          {formatCount(reject)}
        </span>
        <span className="tile__label">reject</span>
      </div>
    </div>
  );
}

/** One machine on the wall: state band, name, today's counts, main reading with trend. */
export function MachineTile({ machine, serverNowMs, seedKey }: MachineTileProps) {
  const lastSeenMs = ageMs(machine.lastSeenAt, serverNowMs);
  const stale = isStale(machine.lastSeenAt, serverNowMs);
  const main = mainTag(machine.values);
  return (
    <article
      className={stale ? 'tile tile--stale' : 'tile'}
      data-testid={TEST_IDS.tile}
      data-machine-id={machine.id}
      data-state={machine.state}
      data-stale={String(stale)}
      aria-label={`${machine.name}: ${stateStyle(machine.state).label}`}
    >
      <StateBand machine={machine} serverNowMs={serverNowMs} />
      <div className="tile__content">
        <header className="tile__title">
          <span className="tile__name">{machine.name}</span>
          <span className="tile__id">{machine.id}</span>
        </header>
        <Counts machine={machine} />
        {main ? (
          <TileTrend
            key={main.tag}
            machineId={machine.id}
            tag={main.tag}
            reading={main.reading}
            serverNowMs={serverNowMs}
            seedKey={seedKey}
          />
        ) : (
          <EmptyTrend />
        )}
      </div>
      <footer className="tile__footer">
        <span
          className="tile__last-seen"
          data-testid={TEST_IDS.tileLastSeen}
          data-age-ms={lastSeenMs ?? ''}
        >
          {lastSeenMs === null ? 'never seen' : `last seen ${formatAge(lastSeenMs)}`}
        </span>
        {stale ? <span className="tile__stale-badge">stale</span> : null}
      </footer>
    </article>
  );
}
