import type { AlertRuntime } from '../alerts/runtime';
import type { Consumer } from './types';

/**
 * Readings, states, counts and gateway statuses of a commit -> the alert engine
 * (alerts/runtime.ts), which stores and delivers what they open or clear. Not durable: the
 * engine judges live data in memory and re-judges from the next messages after a restart;
 * stored alerts and their pending deliveries are resumed by the runtime itself.
 */
export function alertsConsumer(): Consumer {
  let runtime: AlertRuntime;
  return {
    name: 'alerts',
    async start(ctx) {
      runtime = ctx.alerts;
    },
    async onCommitted(batch) {
      if (batch.messages.length > 0) runtime.onMessages(batch.messages);
    },
    // The runtime is a step of its own in service.ts: it stops after the consumers.
    async stop() {},
  };
}
