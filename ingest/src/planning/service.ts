/**
 * The current plan (docs/decisions.md "Issue 21 — the plan in ingest, the single ETA"): made
 * by the pure scheduler from what gather.ts reads, kept in memory for the routes and in the
 * plan tables (044) for every reader of an ETA, and made again when something it depends on
 * changes — an order created, edited, held, resumed, cancelled, split or imported, a scan that
 * starts, pauses or completes an operation, a plant model loaded — and at least hourly.
 *
 * Every such change leaves a row in work_order_events (kinds created, changed, scan) or a new
 * plant_models.loaded_at, so one cheap look at those every `pollMs` finds them all, whoever
 * made them (this instance's routes, the watched import folder, MQTT scans, another ingest
 * instance); a burst of changes within one poll makes one plan. Counts change only what is
 * left to make and come all the time: they make a new plan at most every `countsEveryMs`.
 */
import { PLAN_LIVE_EVENTS, type PlanChangedEvent } from '@takt/protocol';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Server as SocketServer } from 'socket.io';
import { withTransaction } from '../db/transaction';
import { planOrders, type Plan } from '../domain/planning';
import { gatherPlanInput, type GatheredInput } from './gather';

const HOUR_MS = 3_600_000;
/** Serialises storing the plan across ingest instances (pg_advisory_xact_lock's key). */
const PLAN_STORE_LOCK = 0x7a6b_0044;

export interface PlanSettings {
  /** How often the order events and the plant model are looked at for changes, ms (default 2 s). */
  pollMs: number;
  /** A plan older than this is made again even without a change (default 1 h). */
  maxAgeMs: number;
  /**
   * Pieces counted change what is left to make but come every few seconds: a plan older than
   * this is made again when counts arrived since (default 5 min).
   */
  countsEveryMs: number;
  now: () => number;
}

/**
 * The newest order event that can change the plan (one probe of migration 059's index, however
 * many count events came since), the newest event of any kind, the plant model's last load.
 */
export const PLAN_FINGERPRINT = `SELECT
    (SELECT id FROM work_order_events WHERE kind IN ('created', 'changed', 'scan')
      ORDER BY id DESC LIMIT 1) AS event,
    (SELECT max(id) FROM work_order_events) AS count,
    (SELECT max(loaded_at) FROM plant_models) AS plant`;

export const DEFAULT_PLAN_SETTINGS: PlanSettings = {
  pollMs: 2000,
  maxAgeMs: HOUR_MS,
  countsEveryMs: 5 * 60_000,
  now: Date.now,
};

/** One made plan with the input it was made from. */
export interface CurrentPlan {
  plan: Plan;
  gathered: GatheredInput;
}

export class PlanService {
  private current: CurrentPlan | undefined;
  private fingerprint: Fingerprint | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CurrentPlan> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly io: SocketServer | undefined,
    private readonly log: Logger,
    readonly settings: PlanSettings = DEFAULT_PLAN_SETTINGS,
  ) {}

  /** Makes the first plan, then watches for changes. */
  async start(): Promise<void> {
    await this.tick();
  }

  /** Stops watching and waits for a plan being made; bounded by the caller (lifecycle.ts). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** The newest plan, made now if there is none yet. */
  async plan(): Promise<CurrentPlan> {
    return this.current ?? this.recompute();
  }

  /**
   * Makes the plan again now (a change this instance knows of). A call while one is being
   * made waits for it and makes one more after it, so the change is always in the answer.
   */
  recompute(): Promise<CurrentPlan> {
    if (this.running) {
      this.again = true;
      return this.running.then(() => this.recompute());
    }
    this.running = this.make().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async make(): Promise<CurrentPlan> {
    const now = this.settings.now();
    const fingerprint = await this.fingerprintNow();
    const gathered = await gatherPlanInput(this.pool, now);
    const plan = planOrders(gathered.input);
    await storePlan(this.pool, plan);
    this.current = { plan, gathered };
    this.fingerprint = fingerprint;
    this.again = false;
    const event: PlanChangedEvent = { computedAt: new Date(plan.computedAt).toISOString() };
    this.io?.to('plant').emit(PLAN_LIVE_EVENTS.changed, event);
    this.log.debug(
      { orders: plan.orders.length, unplannable: plan.unplannable.length },
      'plan made',
    );
    return this.current;
  }

  /** The newest order event that can change the plan, the newest count, the plant model's load. */
  private async fingerprintNow(): Promise<Fingerprint> {
    const { rows } = await this.pool.query<{
      event: string | null;
      count: string | null;
      plant: Date | null;
    }>(PLAN_FINGERPRINT);
    const r = rows[0];
    return { changes: `${r?.event ?? ''}|${r?.plant?.getTime() ?? ''}`, counts: r?.count ?? '' };
  }

  /** Whether the plan must be made again now (see the file's comment). */
  private async due(): Promise<boolean> {
    if (!this.current || this.again) return true;
    const age = this.settings.now() - this.current.plan.computedAt;
    if (age >= this.settings.maxAgeMs) return true;
    const now = await this.fingerprintNow();
    if (now.changes !== this.fingerprint?.changes) return true;
    return now.counts !== this.fingerprint.counts && age >= this.settings.countsEveryMs;
  }

  private async tick(): Promise<void> {
    try {
      if (await this.due()) await this.recompute();
    } catch (error) {
      // The previous plan stands; the next poll tries again.
      this.log.error({ err: (error as Error).message }, 'the plan could not be made');
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.settings.pollMs);
  }
}

interface Fingerprint {
  changes: string;
  counts: string;
}

/** Replaces the stored plan with `plan` in one transaction (044 keeps only the newest). */
export async function storePlan(pool: Pool, plan: Plan): Promise<void> {
  const at = new Date(plan.computedAt);
  const ops = plan.operations;
  await withTransaction(pool, async (client) => {
    // Several ingest instances may store at once: one at a time, the newest last.
    await client.query('SELECT pg_advisory_xact_lock($1)', [PLAN_STORE_LOCK]);
    await client.query('DELETE FROM plan_operations');
    await client.query('DELETE FROM plan_orders');
    await client.query('DELETE FROM plan_unplannable');
    await client.query(
      `INSERT INTO plan_operations (work_order_id, operation_id, machine_id, product_id, remaining,
              planned_start, planned_finish, p10_finish, p90_finish, changeover_ms, running, computed_at)
       SELECT u.*, $12::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[],
              $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::int8[], $11::bool[]) AS u`,
      [
        ops.map((o) => o.order),
        ops.map((o) => o.operation),
        ops.map((o) => o.machine),
        ops.map((o) => o.product),
        ops.map((o) => o.remaining),
        ops.map((o) => new Date(o.plannedStart)),
        ops.map((o) => new Date(o.plannedFinish)),
        ops.map((o) => new Date(o.p10Finish)),
        ops.map((o) => new Date(o.p90Finish)),
        ops.map((o) => Math.round(o.changeoverMs)),
        ops.map((o) => o.running),
        at,
      ],
    );
    const orders = plan.orders;
    await client.query(
      `INSERT INTO plan_orders (work_order_id, promised_at, p10, p90, late_risk, computed_at)
       SELECT u.*, $6::timestamptz FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[],
              $4::timestamptz[], $5::bool[]) AS u`,
      [
        orders.map((o) => o.order),
        orders.map((o) => new Date(o.promisedAt)),
        orders.map((o) => new Date(o.p10)),
        orders.map((o) => new Date(o.p90)),
        orders.map((o) => o.lateRisk),
        at,
      ],
    );
    const un = plan.unplannable;
    await client.query(
      `INSERT INTO plan_unplannable (work_order_id, operation_id, reason_key, reason_params, computed_at)
       SELECT u.*, $5::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) AS u`,
      [
        un.map((u) => u.order),
        un.map((u) => u.operation),
        un.map((u) => u.reason.key),
        un.map((u) => JSON.stringify(u.reason.params ?? {})),
        at,
      ],
    );
  });
}
