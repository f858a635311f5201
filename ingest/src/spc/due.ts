import type { CharacteristicConfig, DueInspection, PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';

interface RunningOp {
  work_order_id: string;
  id: string;
  machine_id: string;
  product_id: string | null;
  started_at: Date | null;
}

/** The running operations an inspection plan applies to: its machine, product and operation. */
function applies(c: CharacteristicConfig, op: RunningOp): boolean {
  const machine = c.machine ?? c.gauge?.machine;
  if (machine !== undefined && op.machine_id !== machine) return false;
  if (c.product !== undefined && op.product_id !== c.product) return false;
  if (c.operation !== undefined && op.id !== c.operation) return false;
  return machine !== undefined || c.product !== undefined;
}

/**
 * Inspections due on the running operations (docs/decisions.md "Issue 23 — measurements,
 * limits and spc alerts"), per characteristic with a `frequency` and the operations its plan
 * names: `firstAfterChangeover` is due at the operation's start until a subgroup of the order
 * is stored after it; `everyMinutes` that long after the order's last subgroup (else after the
 * start); `everyPieces` once that many pieces (good and rejected) were counted on the order's
 * operation since its last subgroup, at the count that reached it. Overdue: its time has passed.
 * Soonest first.
 */
export async function dueInspections(
  pool: Pool,
  plant: PlantModel | undefined,
  now: number,
  filter: { machine?: string | undefined; workOrder?: string | undefined },
): Promise<DueInspection[]> {
  const plans = (plant?.quality.characteristics ?? []).filter((c) => c.frequency);
  if (plans.length === 0) return [];
  const { rows: ops } = await pool.query<RunningOp>(
    `SELECT o.work_order_id, o.id, o.machine_id, w.product_id, o.started_at
       FROM work_order_operations o JOIN work_orders w ON w.id = o.work_order_id
      WHERE o.status = 'running'
        AND ($1::text IS NULL OR o.machine_id = $1) AND ($2::text IS NULL OR o.work_order_id = $2)`,
    [filter.machine ?? null, filter.workOrder ?? null],
  );
  const out: DueInspection[] = [];
  for (const c of plans) {
    const f = c.frequency!;
    for (const op of ops.filter((o) => applies(c, o))) {
      const { rows } = await pool.query<{ at: Date | null }>(
        `SELECT max(at) AS at FROM spc_subgroups WHERE characteristic = $1 AND work_order = $2`,
        [c.id, op.work_order_id],
      );
      const last = rows[0]?.at?.getTime() ?? null;
      const started = op.started_at?.getTime() ?? now;
      const base = {
        characteristic: c.id,
        workOrder: op.work_order_id,
        operation: op.id,
        machine: op.machine_id,
      };
      const candidates: { dueAt: number; reason: DueInspection['reason'] }[] = [];
      if (f.firstAfterChangeover && (last === null || last < started))
        candidates.push({ dueAt: started, reason: 'changeover' });
      if (f.everyMinutes !== undefined)
        candidates.push({ dueAt: (last ?? started) + f.everyMinutes * 60_000, reason: 'minutes' });
      if (f.everyPieces !== undefined) {
        const reached = await pool.query<{ time: Date }>(
          `SELECT time FROM (
             SELECT time, sum(coalesce(good, 0) + coalesce(rejected, 0)) OVER (ORDER BY time, id) AS pieces
               FROM work_order_events
              WHERE work_order_id = $1 AND operation_id = $2 AND kind = 'count' AND time > $3) e
            WHERE pieces >= $4 ORDER BY time LIMIT 1`,
          [op.work_order_id, op.id, new Date(last ?? started), f.everyPieces],
        );
        const at = reached.rows[0]?.time.getTime();
        if (at !== undefined) candidates.push({ dueAt: at, reason: 'pieces' });
      }
      const first = candidates.sort((a, b) => a.dueAt - b.dueAt)[0];
      if (first)
        out.push({
          ...base,
          dueAt: new Date(first.dueAt).toISOString(),
          overdue: first.dueAt < now,
          reason: first.reason,
        });
    }
  }
  return out.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
}
