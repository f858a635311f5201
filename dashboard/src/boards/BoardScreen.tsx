import { useEffect, useState } from 'react';
import type { BoardSpec } from '../lib/route';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';
import { AndonBoard } from './AndonBoard';
import { KpisBoard } from './KpisBoard';
import { LineBoard } from './LineBoard';
import { OrdersBoard } from './OrdersBoard';
import { PlanningBoard } from './PlanningBoard';
import { PlantBoardView } from './PlantBoardView';

function Board({ spec }: { spec: BoardSpec }) {
  switch (spec.board) {
    case 'plant':
      return <PlantBoardView />;
    case 'line':
      return <LineBoard lineId={spec.line} />;
    case 'orders':
      return <OrdersBoard />;
    case 'andon':
      return <AndonBoard />;
    case 'kpis':
      return <KpisBoard />;
    case 'planning':
      return <PlanningBoard />;
  }
}

/**
 * The boards a URL lists, one at a time, each for `everyS` seconds, round and round: a TV
 * needs only a bookmark. All share the page's one live connection, so switching shows live
 * data at once.
 */
export function BoardScreen({ boards, everyS }: { boards: BoardSpec[]; everyS: number }) {
  const [index, setIndex] = useState(0);
  const { t } = useT();
  useEffect(() => {
    if (boards.length < 2) return;
    const timer = window.setInterval(() => setIndex((i) => (i + 1) % boards.length), everyS * 1000);
    return () => window.clearInterval(timer);
  }, [boards.length, everyS]);
  const spec = boards[index % boards.length]!;
  return (
    <div
      className="board-screen"
      data-testid={TEST_IDS.boardScreen}
      data-board={spec.board}
      data-board-index={index % boards.length}
    >
      <Board key={index} spec={spec} />
      {boards.length > 1 ? (
        <nav className="rotation" aria-label="Boards">
          {boards.map((b, i) => (
            <span
              key={i}
              className={`rotation__dot${i === index % boards.length ? ' rotation__dot--on' : ''}`}
            >
              {t(`board.${b.board}`)}
              {b.board === 'line' ? ` ${b.line}` : ''}
            </span>
          ))}
        </nav>
      ) : null}
    </div>
  );
}
