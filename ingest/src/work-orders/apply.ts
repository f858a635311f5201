import type { DecodedMessage } from '@takt/protocol';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { applyScan, type ScanAction } from '../domain/work-orders';
import type { CountDeltaRow } from '../pipeline/write-series';
import { loadPlantModel } from '../plant';
import { recordMode, recordOrderEnded } from '../queries/modes';
import { addEvent, loadOrder, saveOperation } from './store';

type ScanMsg = Extract<DecodedMessage, { kind: 'scan' }>;
const ACTIONS: readonly string[] = ['start', 'pause', 'complete'];

/** The operator of a scan: named on it, or else badged in at the station. */
async function operatorOf(pool: Pool, scan: ScanMsg): Promise<string | null> {
  if (scan.payload.operator) return scan.payload.operator;
  const { rows } = await pool.query<{ operator: string }>(
    'SELECT operator FROM station_operators WHERE station = $1',
    [scan.machineId],
  );
  return rows[0]?.operator ?? null;
}

/** The operation a scan without an order means: the one running (or paused) at that station. */
async function currentAtStation(pool: Pool, station: string) {
  const { rows } = await pool.query<{ work_order_id: string; id: string }>(
    `SELECT work_order_id, id FROM work_order_operations
      WHERE machine_id = $1 AND status IN ('running', 'paused')
      ORDER BY (status = 'running') DESC, started_at DESC LIMIT 1`,
    [station],
  );
  return rows[0];
}

/**
 * One station scan -> the work order it names (or the one at the station): applied, or
 * recorded as refused with the reason. Scans that are not about orders (badges, reason
 * cards) are left to their own features.
 */
export async function applyStationScan(pool: Pool, scan: ScanMsg, log: Logger): Promise<void> {
  const p = scan.payload;
  const action = (p.action ?? '').toLowerCase();
  if (!ACTIONS.includes(action)) return;
  const target = p.workOrder
    ? { work_order_id: p.workOrder, id: p.operation }
    : await currentAtStation(pool, scan.machineId);
  if (!target) {
    log.info(
      { station: scan.machineId, code: p.code },
      'scan names no order and none is running at the station',
    );
    return;
  }
  const record = await loadOrder(pool, target.work_order_id);
  if (!record) {
    await addEvent(pool, {
      order: target.work_order_id,
      ts: p.ts,
      kind: 'refused',
      operation: target.id ?? null,
      detail: {
        code: p.code,
        station: scan.machineId,
        reason: `unknown order ${target.work_order_id}`,
      },
    });
    return;
  }
  const operation =
    target.id ?? record.order.operations.find((o) => o.machine === scan.machineId)?.id ?? '';
  const outcome = applyScan(record.order, {
    operation,
    action: action as ScanAction['action'],
    ts: p.ts,
  });
  if (!outcome.ok) {
    await addEvent(pool, {
      order: record.order.id,
      ts: p.ts,
      kind: 'refused',
      operation,
      detail: { code: p.code, station: scan.machineId, reason: outcome.reason },
    });
    return;
  }
  const op = outcome.order.operations.find((o) => o.id === operation)!;
  if (action === 'start') {
    // A machine works on one order at a time: whatever else runs there is paused.
    const paused = await pool.query<{ work_order_id: string; id: string }>(
      `UPDATE work_order_operations SET status = 'paused' WHERE machine_id = $1 AND status = 'running' AND NOT (work_order_id = $2 AND id = $3)
       RETURNING work_order_id, id`,
      [op.machine, record.order.id, op.id],
    );
    for (const other of paused.rows)
      await addEvent(pool, {
        order: other.work_order_id,
        ts: p.ts,
        kind: 'scan',
        operation: other.id,
        machine: op.machine,
        detail: { action: 'pause', station: scan.machineId, because: `${record.order.id} started` },
      });
  }
  await saveOperation(pool, record.order.id, op);
  const why = { workOrder: record.order.id, operation: op.id };
  if (action === 'start') await recordMode(pool, op.machine, p.ts, 'production', 'work_order', why);
  else await recordOrderEnded(pool, op.machine, p.ts);
  await addEvent(pool, {
    order: record.order.id,
    ts: p.ts,
    kind: 'scan',
    operation,
    machine: op.machine,
    detail: {
      code: p.code,
      station: scan.machineId,
      action,
      operator: await operatorOf(pool, scan),
    },
  });
}

/**
 * Pieces reported by hand at a station (`action: good | reject`, `quantity`, a reject
 * `reason`), for the operation named or the one at the station. At a station without a
 * counter they are the order's pieces; on a machine whose PLC counts, a good report is
 * refused (the counter has them) and a reject report moves pieces from good to rejected.
 */
export async function applyPieceScan(pool: Pool, scan: ScanMsg, log: Logger): Promise<void> {
  const p = scan.payload;
  const action = (p.action ?? '').toLowerCase() as 'good' | 'reject';
  const quantity = Number(p.quantity ?? 1);
  const target = p.workOrder
    ? { work_order_id: p.workOrder, id: p.operation }
    : await currentAtStation(pool, scan.machineId);
  if (!target) {
    log.info({ station: scan.machineId, code: p.code }, 'piece report: no order at the station');
    return;
  }
  const refuse = (reason: string, operation: string | null = target.id ?? null) =>
    addEvent(pool, {
      order: target.work_order_id,
      ts: p.ts,
      kind: 'refused',
      operation,
      detail: { code: p.code, station: scan.machineId, reason },
    });
  const record = await loadOrder(pool, target.work_order_id);
  if (!record) return refuse(`unknown order ${target.work_order_id}`);
  const op =
    record.order.operations.find((o) => o.id === target.id) ??
    (target.id === undefined
      ? record.order.operations.find((o) => o.machine === scan.machineId)
      : undefined);
  if (!op)
    return refuse(
      `order ${record.order.id} has no operation ${target.id ?? 'at ' + scan.machineId}`,
    );
  if (op.status === 'pending')
    return refuse(`operation ${op.id} of order ${record.order.id} has not started`, op.id);
  const station = await pool.query<{ counts: boolean; site_id: string | null }>(
    'SELECT good_total IS NOT NULL AS counts, site_id FROM machines WHERE id = $1',
    [op.machine],
  );
  const counted = station.rows[0]?.counts ?? false;
  if (action === 'reject') {
    const plant = await loadPlantModel(pool, station.rows[0]?.site_id ?? null);
    const known = plant?.reasons?.reject.map((r) => r.id) ?? [];
    if (known.length > 0 && !known.includes(p.reason ?? ''))
      return refuse(
        p.reason ? `unknown reject reason "${p.reason}"` : 'a reject report needs a reason',
        op.id,
      );
  } else if (counted) {
    return refuse(`${op.machine} counts its pieces itself: report rejects only`, op.id);
  }
  // On a counting machine a reject report re-classifies pieces the counter gave as good.
  const moved = counted ? Math.min(quantity, op.good) : quantity;
  const good = action === 'good' ? moved : counted ? -moved : 0;
  const rejected = action === 'reject' ? moved : 0;
  await pool.query(
    'UPDATE work_order_operations SET good = good + $3, rejected = rejected + $4 WHERE work_order_id = $1 AND id = $2',
    [record.order.id, op.id, good, rejected],
  );
  await addEvent(pool, {
    order: record.order.id,
    ts: p.ts,
    kind: 'count',
    operation: op.id,
    machine: op.machine,
    good,
    rejected,
    detail: {
      source: 'scan',
      code: p.code,
      reason: p.reason ?? null,
      operator: await operatorOf(pool, scan),
    },
  });
}

/**
 * Pieces a machine made go to the operation that was running on it at the count's edge
 * time (the last start, pause or complete scan on that machine before it), so a count that
 * arrives after the operation was paused or completed still goes to the right order.
 */
export async function attributeCounts(pool: Pool, deltas: readonly CountDeltaRow[]): Promise<void> {
  for (const d of deltas) {
    if (d.good === 0 && d.reject === 0) continue;
    const { rows } = await pool.query<{ work_order_id: string; operation_id: string }>(
      `SELECT work_order_id, operation_id FROM (
         SELECT work_order_id, operation_id, detail->>'action' AS action FROM work_order_events
          WHERE machine_id = $1 AND kind = 'scan' AND time <= $2 AND detail->>'action' IN ('start', 'pause', 'complete')
          ORDER BY time DESC, id DESC LIMIT 1) last
        WHERE action = 'start'`,
      [d.machine, new Date(d.ts)],
    );
    for (const r of rows) {
      await pool.query(
        'UPDATE work_order_operations SET good = good + $3, rejected = rejected + $4 WHERE work_order_id = $1 AND id = $2',
        [r.work_order_id, r.operation_id, d.good, d.reject],
      );
      await addEvent(pool, {
        order: r.work_order_id,
        ts: d.ts,
        kind: 'count',
        operation: r.operation_id,
        machine: d.machine,
        good: d.good,
        rejected: d.reject,
      });
    }
  }
}
