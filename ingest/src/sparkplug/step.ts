import type { PlantModel } from '@takt/protocol';
import type { Logger } from 'pino';
import type { Step } from '../lifecycle';
import type { IngestItem } from '../pipeline/items';
import { startSparkplugHost, type RunningSparkplugHost } from './host';

export interface SparkplugStepParts {
  log: Logger;
  plant: PlantModel | undefined;
  push: (item: IngestItem) => void;
}

/**
 * Ingest's Sparkplug B host (host.ts), started after the pipeline it feeds and stopped before
 * it; only when the plant model has a `sparkplug:` key. Same broker account as the
 * subscriber, its own client id (`<ingest client id>-sparkplug`).
 */
export function sparkplugStep(
  mqttOptions: {
    url: string;
    username?: string | undefined;
    password?: string | undefined;
    clientId?: string | undefined;
  },
  parts: () => SparkplugStepParts,
  started: (host: RunningSparkplugHost) => void = () => {},
): Step {
  let host: RunningSparkplugHost | undefined;
  return {
    name: 'sparkplug',
    start: async () => {
      const { log, plant, push } = parts();
      if (!plant?.sparkplug) return;
      host = startSparkplugHost({
        url: mqttOptions.url,
        username: mqttOptions.username,
        password: mqttOptions.password,
        clientId: `${mqttOptions.clientId ?? 'takt-ingest'}-sparkplug`,
        plant,
        config: plant.sparkplug,
        log,
        onItem: push,
      });
      started(host);
    },
    stop: () => host?.stop(1000),
    stopWithinMs: 1500,
  };
}
