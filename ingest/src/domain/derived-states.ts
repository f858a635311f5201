import type { MachineState, StateRule } from '@takt/protocol';

/**
 * Machine state for machines whose PLC gives no state code (DESIGN "Domain": state from the
 * PLC *and counts*): from a signal against a limit (spindle speed above 100 rpm: running),
 * or from count activity (pieces coming: running; none for `idleAfterS`: idle). Pure.
 */
export interface DerivedState {
  state: MachineState;
  /** Edge time the state began. */
  since: number;
}

/** A signal's value -> state: above `runningAbove` runs (below `reducedBelow`: reduced speed), else idle. */
export function stateFromSignal(
  value: number,
  rule: NonNullable<StateRule['signal']>,
): MachineState {
  if (!(value > rule.runningAbove)) return 'idle';
  return rule.reducedBelow !== undefined && value < rule.reducedBelow ? 'reduced_speed' : 'running';
}

/**
 * Count activity at `ts`: running when the last piece came less than `idleAfterS` before,
 * else idle since the last piece + `idleAfterS` (or since `ts` when no piece was ever seen).
 */
export function stateFromCounts(
  lastPieceAt: number | null,
  ts: number,
  rule: NonNullable<StateRule['counts']>,
): DerivedState {
  const idleAfterMs = rule.idleAfterS * 1000;
  if (lastPieceAt !== null && ts - lastPieceAt < idleAfterMs)
    return { state: 'running', since: lastPieceAt };
  return { state: 'idle', since: lastPieceAt === null ? ts : lastPieceAt + idleAfterMs };
}
