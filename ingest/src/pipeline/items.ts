import type { DecodedMessage } from '@takt/protocol';

/** What the subscriber hands the batcher: a valid message or a rejected one with its reason. */
export type IngestItem =
  | { kind: 'message'; message: DecodedMessage }
  | { kind: 'dead'; topic: string; payload: Buffer; reason: string };
