import type { DecodedMessage } from '@takt/protocol';

/**
 * What the subscriber hands the batcher: a valid message or a rejected one with its reason.
 * `receivedAtMs` (ingest's clock when the message arrived) and `retained` (the broker
 * replayed a retained message on subscribe) are what the timestamp horizon and the clock
 * check judge by (docs/production-model.md "Timestamp horizon").
 */
export type IngestItem =
  | { kind: 'message'; message: DecodedMessage; receivedAtMs?: number; retained?: boolean }
  | { kind: 'dead'; topic: string; payload: Buffer; reason: string };
