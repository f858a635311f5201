import type { MachineSnapshot } from '@takt/protocol/live';
import type { TileDetail } from '../lib/board-layout';
import type { CountVsTarget } from '../lib/count-target';
import { formatCount, formatDuration } from '../lib/format';
import {
  DISPLAY_COLORS,
  displayState,
  plannedModes,
  stateLabelKey,
  type DisplayState,
} from '../lib/machine-state';
import { mainTag } from '../lib/main-tag';
import { percent } from '../lib/percent';
import { ageMs, isStale } from '../lib/staleness';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';
import { EmptyTrend, TileTrend } from './TileTrend';

/** The shift's figures of one machine (GET /api/boards/shift, polled; count kept live). */
export interface TileFigures {
  good: number;
  /** Pieces it should have made by now; null when the plant sets no target nor ideal cycle. */
  target: number | null;
  status: CountVsTarget['status'] | null;
  oee: number | null;
  availability: number | null;
  performance: number | null;
  quality: number | null;
}

interface MachineTileProps {
  machine: MachineSnapshot;
  serverNowMs: number;
  /** Bumps on every (re)connect snapshot; trends re-read their history then. */
  seedKey: number;
  detail?: TileDetail;
  /** What the tile shows as its state (planned / offline included); from the machine if left out. */
  state?: DisplayState;
  figures?: TileFigures | undefined;
}

const DEFAULT_PLANNED = plannedModes(null);

function StateBand({
  machine,
  state,
  serverNowMs,
  children,
}: {
  machine: MachineSnapshot;
  state: DisplayState;
  serverNowMs: number;
  children?: React.ReactNode;
}) {
  const { t, lang } = useT();
  const colors = DISPLAY_COLORS[state];
  const inState = ageMs(machine.stateSince, serverNowMs);
  return (
    <div
      className="tile__band"
      data-testid={TEST_IDS.tileBand}
      style={{ background: colors.color, color: colors.ink }}
    >
      <span className="tile__state" data-testid={TEST_IDS.tileState}>
        {t(stateLabelKey(state))}
      </span>
      {machine.stateReason && state !== 'offline' ? (
        <span className="tile__reason">{machine.stateReason}</span>
      ) : null}
      {inState !== null ? (
        <span className="tile__since">{formatDuration(inState, lang)}</span>
      ) : null}
      {children}
    </div>
  );
}

function CountTarget({ machine, figures }: { machine: MachineSnapshot; figures?: TileFigures }) {
  const { t } = useT();
  const good = figures?.good ?? machine.counts.good;
  const { reject } = machine.counts;
  return (
    <div className="tile__counts">
      <div className="tile__good">
        <span
          className={`tile__good-value tile__good-value--${figures?.status ?? 'none'}`}
          data-testid={TEST_IDS.tileGoodCount}
          data-value={good}
        >
          {formatCount(good)}
        </span>
        <span className="tile__label">{t(figures ? 'tile.goodShift' : 'tile.goodToday')}</span>
      </div>
      <div
        className="tile__target"
        data-testid={TEST_IDS.tileTarget}
        data-value={figures?.target ?? ''}
        data-status={figures?.status ?? ''}
      >
        {figures?.target !== null && figures?.target !== undefined
          ? t('tile.target', { target: formatCount(figures.target) })
          : t('tile.noTarget')}
      </div>
      <div className={reject > 0 ? 'tile__reject tile__reject--some' : 'tile__reject'}>
        <span
          className="tile__reject-value"
          data-testid={TEST_IDS.tileRejectCount}
          data-value={reject}
        >
          {formatCount(reject)}
        </span>
        <span className="tile__label">{t('tile.reject')}</span>
      </div>
    </div>
  );
}

function Oee({ figures, withParts }: { figures?: TileFigures | undefined; withParts: boolean }) {
  const { t } = useT();
  return (
    <div className="tile__oee" data-testid={TEST_IDS.tileOee} data-value={figures?.oee ?? ''}>
      <span className="tile__oee-label">{t('tile.oee')}</span>
      <span className="tile__oee-value">{percent(figures?.oee)}</span>
      {withParts ? (
        <span className="tile__apq">
          {t('tile.apq', {
            a: percent(figures?.availability),
            p: percent(figures?.performance),
            q: percent(figures?.quality),
          })}
        </span>
      ) : null}
    </div>
  );
}

function WorkOrder({ machine }: { machine: MachineSnapshot }) {
  const { t } = useT();
  return (
    <span
      className={machine.workOrder ? 'tile__wo' : 'tile__wo tile__wo--none'}
      data-testid={TEST_IDS.tileWorkOrder}
      data-value={machine.workOrder ?? ''}
    >
      {machine.workOrder ?? t('tile.noOrder')}
    </span>
  );
}

/** 100–200 machines: the whole tile in its state colour; name, time in state, count vs target. */
function MinimalTile({
  machine,
  serverNowMs,
  state,
  figures,
}: Required<Omit<MachineTileProps, 'seedKey' | 'detail' | 'figures'>> & {
  figures?: TileFigures | undefined;
}) {
  return (
    <StateBand machine={machine} state={state} serverNowMs={serverNowMs}>
      <span className="tile__name">{machine.name}</span>
      <span
        className="tile__mini-count"
        data-testid={TEST_IDS.tileGoodCount}
        data-value={figures?.good ?? machine.counts.good}
      >
        {formatCount(figures?.good ?? machine.counts.good)}
        {figures?.target !== null && figures?.target !== undefined
          ? ` / ${formatCount(figures.target)}`
          : ''}
      </span>
    </StateBand>
  );
}

/**
 * One machine on the wall: its state colour (planned and offline included), name, work order,
 * good count against target, OEE of the shift, main reading with its trend. Less as tiles
 * shrink (`detail`), so 200 machines still fit one screen.
 */
export function MachineTile({
  machine,
  serverNowMs,
  seedKey,
  detail = 'full',
  state = displayState(machine, serverNowMs, DEFAULT_PLANNED),
  figures,
}: MachineTileProps) {
  const { t, lang } = useT();
  const lastSeenMs = ageMs(machine.lastSeenAt, serverNowMs);
  const stale = isStale(machine.lastSeenAt, serverNowMs);
  const main = mainTag(machine.values);
  return (
    <article
      className={`tile tile--${detail}${stale ? ' tile--stale' : ''}`}
      data-testid={TEST_IDS.tile}
      data-machine-id={machine.id}
      data-state={machine.state}
      data-display-state={state}
      data-detail={detail}
      data-stale={String(stale)}
      aria-label={`${machine.name}: ${t(stateLabelKey(state))}`}
    >
      {detail === 'minimal' ? (
        <MinimalTile machine={machine} serverNowMs={serverNowMs} state={state} figures={figures} />
      ) : (
        <>
          <StateBand machine={machine} state={state} serverNowMs={serverNowMs} />
          <div className="tile__content">
            <header className="tile__title">
              <span className="tile__name">{machine.name}</span>
              <WorkOrder machine={machine} />
            </header>
            <div className="tile__figures">
              <CountTarget machine={machine} figures={figures} />
              <Oee figures={figures} withParts={detail === 'full'} />
            </div>
            {detail === 'full' ? (
              main ? (
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
              )
            ) : null}
          </div>
          {detail === 'full' ? (
            <footer className="tile__footer">
              <span
                className="tile__last-seen"
                data-testid={TEST_IDS.tileLastSeen}
                data-age-ms={lastSeenMs ?? ''}
              >
                {lastSeenMs === null
                  ? t('tile.neverSeen')
                  : t('tile.lastSeen', { age: formatDuration(lastSeenMs, lang) })}
              </span>
              <span className="tile__id">{machine.id}</span>
              {stale ? <span className="tile__stale-badge">{t('tile.stale')}</span> : null}
            </footer>
          ) : null}
        </>
      )}
    </article>
  );
}
