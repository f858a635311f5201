import { useMemo, useRef } from 'react';
import type { MachineSnapshot } from '@takt/protocol/live';
import { boardLayout } from '../lib/board-layout';
import { groupByLine } from '../lib/group-by-line';
import { useElementSize } from '../live/use-element-size';
import { TEST_IDS } from '../testids';
import { LineGroup } from './LineGroup';

// Keep in step with styles.css (.line__title height, .line__tiles gap, .board gap).
const GAP_PX = 12;
const LINE_HEADER_PX = 34;
const LINE_GAP_PX = 14;

interface PlantBoardProps {
  machines: readonly MachineSnapshot[];
  serverNowMs: number;
  seedKey: number;
  waitingText: string;
}

/** Every machine on one screen, grouped by line, sized so nothing scrolls. */
export function PlantBoard({ machines, serverNowMs, seedKey, waitingText }: PlantBoardProps) {
  const boardRef = useRef<HTMLElement>(null);
  const size = useElementSize(boardRef);
  const groups = useMemo(() => groupByLine(machines), [machines]);
  const layout = boardLayout({
    widthPx: size.width,
    heightPx: size.height,
    lineSizes: groups.map((g) => g.machines.length),
    gapPx: GAP_PX,
    lineHeaderPx: LINE_HEADER_PX,
    lineGapPx: LINE_GAP_PX,
  });

  return (
    <main className="board" ref={boardRef} data-testid={TEST_IDS.board}>
      {groups.length === 0 ? <p className="board__empty">{waitingText}</p> : null}
      {size.width > 0
        ? groups.map((group) => (
            <LineGroup
              key={group.lineId}
              group={group}
              columns={layout.columns}
              tileHeightPx={layout.tileHeightPx}
              serverNowMs={serverNowMs}
              seedKey={seedKey}
            />
          ))
        : null}
    </main>
  );
}
