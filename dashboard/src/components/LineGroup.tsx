import type { LineGroup as LineGroupData } from '../lib/group-by-line';
import { TEST_IDS } from '../testids';
import { MachineTile } from './MachineTile';

interface LineGroupProps {
  group: LineGroupData;
  columns: number;
  tileHeightPx: number;
  serverNowMs: number;
  seedKey: number;
}

export function LineGroup({ group, columns, tileHeightPx, serverNowMs, seedKey }: LineGroupProps) {
  const running = group.machines.filter((m) => m.state === 'running').length;
  return (
    <section className="line" data-testid={TEST_IDS.lineGroup} data-line-id={group.lineId}>
      <h2 className="line__title">
        <span className="line__name">{group.lineName}</span>
        <span className="line__summary">
          {running}/{group.machines.length} running
        </span>
      </h2>
      <div
        className="line__tiles"
        style={{
          gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
          gridAutoRows: `${tileHeightPx}px`,
        }}
      >
        {group.machines.map((machine) => (
          <MachineTile
            key={machine.id}
            machine={machine}
            serverNowMs={serverNowMs}
            seedKey={seedKey}
          />
        ))}
      </div>
    </section>
  );
}
