import type pg from 'pg';

export interface Expectation {
  gateways: string[];
  tags: string[];
  stepMs: number;
  /** Per gateway, when its agent was dead (killed, then started again): no readings taken. */
  notTaken: Record<string, { killedAt: number; restartedAt: number }>;
}

export interface Verdict {
  sent: number;
  stored: number;
  duplicates: number;
  lost: number;
  failures: string[];
}

/** Readings of the poll running at the SIGKILL may be torn off the queue's tail: not taken. */
const KILL_SLACK_MS = 150;
/** How long a restarted agent may take to read its first slot. */
const START_SLACK_MS = 30_000;

/**
 * The database against the known sequence. Per gateway and tag the stored slots must be
 * one contiguous run from the first to the last (one gap allowed exactly where the agent
 * was dead), each once, value = slot; counts must add up to what the counter advanced.
 */
export async function verify(
  sql: pg.Pool,
  e: Expectation,
  say: (s: string) => void,
): Promise<Verdict> {
  const v: Verdict = { sent: 0, stored: 0, duplicates: 0, lost: 0, failures: [] };
  for (const gateway of e.gateways) {
    const machine = `${gateway}-m`;
    for (const tag of e.tags) {
      const { rows } = await sql.query<{ ms: string; value: number }>(
        `SELECT (extract(epoch FROM time) * 1000)::bigint AS ms, value FROM samples
          WHERE machine_id = $1 AND tag = $2 ORDER BY time`,
        [machine, tag],
      );
      if (rows.length === 0) {
        v.failures.push(`${machine}/${tag}: nothing stored`);
        continue;
      }
      const slots = rows.map((r) => Number(r.ms) / e.stepMs);
      let sumStored = 0;
      const seen = new Set<number>();
      for (const [i, r] of rows.entries()) {
        if (r.value !== slots[i]) {
          v.failures.push(`${machine}/${tag}: value ${r.value} stored at slot ${slots[i]}`);
          break;
        }
      }
      for (const slot of slots) {
        if (seen.has(slot)) v.duplicates++;
        else sumStored += slot;
        seen.add(slot);
      }
      v.stored += rows.length;
      const first = slots[0]!;
      const last = slots[slots.length - 1]!;
      const dead = e.notTaken[gateway];
      let missing = 0;
      let notTaken = 0;
      let sumExpected = 0;
      for (let slot = first; slot <= last; slot++) {
        const ms = slot * e.stepMs;
        const wasDead =
          dead !== undefined &&
          ms > dead.killedAt - KILL_SLACK_MS &&
          ms < dead.restartedAt + START_SLACK_MS &&
          !seen.has(slot);
        if (wasDead) notTaken++;
        else {
          sumExpected += slot;
          if (!seen.has(slot)) missing++;
        }
      }
      // A gap while the agent was dead must be one run of slots, ending when it came back.
      if (dead && notTaken === 0)
        v.failures.push(`${machine}/${tag}: no gap while the agent was dead`);
      v.lost += missing;
      v.sent += seen.size + missing;
      if (missing === 0 && sumStored !== sumExpected)
        v.failures.push(`${machine}/${tag}: checksum ${sumStored} != ${sumExpected}`);
      say(
        `${machine}/${tag}: slots ${first}..${last} stored=${rows.length} missing=${missing} not taken (agent dead)=${notTaken}`,
      );
    }
    const { rows: counts } = await sql.query<{
      n: string;
      good: string;
      first: string;
      last: string;
      resets: boolean;
      ordered: boolean;
    }>(
      `WITH c AS (SELECT time, good_total, good, counter_reset,
                         lag(good_total) OVER (ORDER BY time) AS prev FROM counts WHERE machine_id = $1)
       SELECT count(*) AS n, sum(good) AS good,
              (array_agg(good_total ORDER BY time))[1] AS first,
              (array_agg(good_total ORDER BY time DESC))[1] AS last,
              bool_or(counter_reset) AS resets, bool_and(prev IS NULL OR good_total >= prev) AS ordered
         FROM c`,
      [machine],
    );
    const c = counts[0]!;
    const madeByCounter = Number(c.last) - Number(c.first);
    say(
      `${machine}: ${c.n} count messages, good pieces ${c.good}, counter advanced ${madeByCounter}, resets=${c.resets}`,
    );
    if (Number(c.n) === 0) v.failures.push(`${machine}: no counts stored`);
    else if (Number(c.good) !== madeByCounter || c.resets || !c.ordered)
      v.failures.push(
        `${machine}: counted ${c.good} good pieces, the counter advanced ${madeByCounter} (resets=${c.resets}, ordered=${c.ordered})`,
      );
  }
  return v;
}
