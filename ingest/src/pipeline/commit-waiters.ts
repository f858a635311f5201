import type { IngestItem } from './items';

/** A gateway that is a station's browser (docs/decisions.md "Issue 17 — the operator station"). */
export const WEB_GATEWAY_PREFIX = 'web:';
export const isWebGateway = (gatewayId: string): boolean =>
  gatewayId.startsWith(WEB_GATEWAY_PREFIX);

export type EnqueueOutcome = 'committed' | 'busy' | 'timeout';

/**
 * Items that arrive over HTTP (a station's scans) join the same batcher as MQTT's and their
 * caller waits for the COMMIT of the batch that holds them: the HTTP answer is the ack a
 * gateway gets on MQTT, sent only once the scans are durable.
 */
export class CommitWaiters {
  private readonly waiting = new Map<IngestItem, () => void>();

  constructor(
    private readonly push: () => ((item: IngestItem) => void) | undefined,
    private readonly hasRoom: () => boolean,
  ) {}

  async enqueue(items: readonly IngestItem[], timeoutMs: number): Promise<EnqueueOutcome> {
    const push = this.push();
    if (!push || !this.hasRoom()) return 'busy';
    const done = items.map((item) => new Promise<void>((r) => this.waiting.set(item, r)));
    for (const item of items) push(item);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const outcome = await Promise.race([Promise.all(done).then(() => 'committed' as const), late]);
    clearTimeout(timer);
    // Written later, they are stored all the same; the device's retry is then acked as a duplicate.
    if (outcome === 'timeout') for (const item of items) this.waiting.delete(item);
    return outcome;
  }

  /** A batch is committed: its HTTP callers get their answer. */
  committed(items: readonly IngestItem[]): void {
    for (const item of items) {
      const resolve = this.waiting.get(item);
      if (!resolve) continue;
      this.waiting.delete(item);
      resolve();
    }
  }
}
