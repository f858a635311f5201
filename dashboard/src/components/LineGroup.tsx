import type { ReactNode } from 'react';
import type { MachineSnapshot } from '@takt/protocol/live';
import type { LineGroup as LineGroupData } from '../lib/group-by-line';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';

interface LineGroupProps {
  group: LineGroupData;
  columns: number;
  tileHeightPx: number;
  renderTile: (machine: MachineSnapshot) => ReactNode;
}

function useRunning(group: LineGroupData) {
  const { t } = useT();
  const running = group.machines.filter((m) => m.state === 'running').length;
  return t('board.running', { running, total: group.machines.length });
}

/** A line's title bar and its machines' tiles (the stacked arrangement). */
export function LineGroup({ group, columns, tileHeightPx, renderTile }: LineGroupProps) {
  const summary = useRunning(group);
  return (
    <section className="line" data-testid={TEST_IDS.lineGroup} data-line-id={group.lineId}>
      <h2 className="line__title">
        <span className="line__name">{group.lineName}</span>
        <span className="line__summary">{summary}</span>
      </h2>
      <div
        className="line__tiles"
        style={{
          gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
          gridAutoRows: `${tileHeightPx}px`,
        }}
      >
        {group.machines.map(renderTile)}
      </div>
    </section>
  );
}

/** A line's name as the first cell of its machines (the flowing arrangement, 100+ machines). */
export function LineHeaderCell({ group }: { group: LineGroupData }) {
  const summary = useRunning(group);
  return (
    <div className="line-cell" data-testid={TEST_IDS.lineGroup} data-line-id={group.lineId}>
      <span className="line-cell__name">{group.lineName}</span>
      <span className="line-cell__summary">{summary}</span>
    </div>
  );
}
