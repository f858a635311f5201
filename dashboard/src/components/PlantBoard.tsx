import { useMemo, useRef } from 'react';
import type { MachineSnapshot } from '@takt/protocol/live';
import { boardLayout } from '../lib/board-layout';
import { groupByLine } from '../lib/group-by-line';
import { displayState, plannedModes } from '../lib/machine-state';
import { useElementSize } from '../live/use-element-size';
import { TEST_IDS } from '../testids';
import { LineGroup, LineHeaderCell } from './LineGroup';
import { MachineTile, type TileFigures } from './MachineTile';

// At 1080p; everything scales with the screen's width (a 4K TV doubles them). Keep in step
// with boards.css (.board --s, .line__title height, grid gaps).
const GAP_PX = 12;
const FLOW_GAP_PX = 6;
const LINE_HEADER_PX = 34;
const LINE_GAP_PX = 14;

interface PlantBoardProps {
  machines: readonly MachineSnapshot[];
  serverNowMs: number;
  seedKey: number;
  waitingText: string;
  /** The shift's figures by machine id (count vs target, OEE), once polled. */
  figures?: ReadonlyMap<string, TileFigures> | undefined;
  /** Modes in which a stopped machine shows as a planned stop (the plant's). */
  planned?: ReadonlySet<string> | undefined;
}

const DEFAULT_PLANNED = plannedModes(null);

/** Every machine on one screen, grouped by line, sized so nothing scrolls (5 to 200 machines). */
export function PlantBoard({
  machines,
  serverNowMs,
  seedKey,
  waitingText,
  figures,
  planned = DEFAULT_PLANNED,
}: PlantBoardProps) {
  const boardRef = useRef<HTMLElement>(null);
  const size = useElementSize(boardRef);
  const groups = useMemo(() => groupByLine(machines), [machines]);
  const scale = Math.max(1, size.width / 1900);
  const geometry = {
    widthPx: size.width,
    heightPx: size.height,
    lineSizes: groups.map((g) => g.machines.length),
    lineHeaderPx: LINE_HEADER_PX * scale,
    lineGapPx: LINE_GAP_PX * scale,
  };
  let layout = boardLayout({ ...geometry, gapPx: GAP_PX * scale });
  if (layout.mode === 'flow') layout = boardLayout({ ...geometry, gapPx: FLOW_GAP_PX * scale });

  const tile = (machine: MachineSnapshot) => (
    <MachineTile
      key={machine.id}
      machine={machine}
      serverNowMs={serverNowMs}
      seedKey={seedKey}
      detail={layout.detail}
      state={displayState(machine, serverNowMs, planned)}
      figures={figures?.get(machine.id)}
    />
  );

  return (
    <main
      className={`board board--${layout.mode}`}
      ref={boardRef}
      data-testid={TEST_IDS.board}
      data-layout={layout.mode}
      data-detail={layout.detail}
      style={{ '--s': scale } as React.CSSProperties}
    >
      {groups.length === 0 ? <p className="board__empty">{waitingText}</p> : null}
      {size.width > 0 && layout.mode === 'lines'
        ? groups.map((group) => (
            <LineGroup
              key={group.lineId}
              group={group}
              columns={layout.columns}
              tileHeightPx={layout.tileHeightPx}
              renderTile={tile}
            />
          ))
        : null}
      {size.width > 0 && layout.mode === 'flow' ? (
        <div
          className="board__flow"
          style={{
            gridTemplateColumns: `repeat(${layout.columns}, minmax(0, 1fr))`,
            gridAutoRows: `${layout.tileHeightPx}px`,
          }}
        >
          {groups.flatMap((group) => [
            <LineHeaderCell key={`line:${group.lineId}`} group={group} />,
            ...group.machines.map(tile),
          ])}
        </div>
      ) : null}
    </main>
  );
}
