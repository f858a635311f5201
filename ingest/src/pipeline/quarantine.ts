import { topics, type DecodedMessage, type MachineMessageKind } from '@takt/protocol';
import { limitsFor, timestampProblem, type TimeHorizon } from '../domain/time-horizon';
import type { DeadLetter } from './dead-letters';
import { isWebGateway } from './commit-waiters';

/** What the writer needs to judge timestamps (issue 6): the horizon and the raw retention. */
export interface QuarantineSettings {
  horizon: TimeHorizon;
  rawRetentionDays: number;
}

export interface Received {
  message: DecodedMessage;
  /** Ingest's clock when it arrived. */
  receivedAtMs: number;
}

/** The topic a decoded message came on (its dead letter's topic). */
export function topicOf(message: DecodedMessage): string {
  // A station's browser has no topic: the route it posted to stands in for one.
  if (isWebGateway(message.gatewayId) && message.kind !== 'status')
    return `http:/api/stations/${message.machineId}/scans (${message.gatewayId})`;
  return message.kind === 'status'
    ? topics.status(message.site, message.gatewayId)
    : topics.machine(
        message.site,
        message.gatewayId,
        message.machineId,
        message.kind as MachineMessageKind,
      );
}

/** A decoded message kept as a dead letter, on the topic it came on. */
export function deadLetter(message: DecodedMessage, payload: unknown, reason: string): DeadLetter {
  return { topic: topicOf(message), payload: Buffer.from(JSON.stringify(payload)), reason };
}

/**
 * Splits messages into what may be applied and what is quarantined: a message whose
 * timestamp is outside the horizon goes whole; a metrics message loses only the readings
 * outside it, which become one dead letter beside the readings kept
 * (docs/production-model.md "Timestamp horizon"). Pure: no I/O.
 */
export function quarantine(
  received: readonly Received[],
  settings: QuarantineSettings,
): { kept: DecodedMessage[]; quarantined: DeadLetter[] } {
  const kept: DecodedMessage[] = [];
  const quarantined: DeadLetter[] = [];
  for (const { message, receivedAtMs } of received) {
    const limits = limitsFor(message.kind, settings.horizon, settings.rawRetentionDays);
    const problem = timestampProblem(message.payload.ts, receivedAtMs, limits);
    if (problem) {
      quarantined.push(deadLetter(message, message.payload, problem));
      continue;
    }
    if (message.kind !== 'metrics') {
      kept.push(message);
      continue;
    }
    const judged = message.payload.readings.map((r) => ({
      reading: r,
      problem: timestampProblem(r.ts, receivedAtMs, limits),
    }));
    const bad = judged.filter((j) => j.problem !== undefined);
    if (bad.length === 0) {
      kept.push(message);
      continue;
    }
    const readings = bad.map((j) => j.reading);
    const reason = `${bad.length} of ${judged.length} readings: ${bad[0]!.problem!}`;
    quarantined.push(deadLetter(message, { ...message.payload, readings }, reason));
    if (bad.length < judged.length) {
      const good = judged.filter((j) => j.problem === undefined).map((j) => j.reading);
      kept.push({ ...message, payload: { ...message.payload, readings: good } });
    }
  }
  return { kept, quarantined };
}
