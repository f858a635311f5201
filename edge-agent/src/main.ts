import { gatewayConfigSchema, loadYamlConfig } from '@takt/protocol';
import { pino } from 'pino';
import { startEdgeAgent } from './agent';

/** `tsx edge-agent/src/main.ts <gateway.yaml>`: what runs on the Raspberry Pi. */
const log = pino({ name: 'edge-agent', level: process.env.LOG_LEVEL ?? 'info' });
const file = process.argv[2] ?? process.env.TAKT_GATEWAY_CONFIG;

try {
  if (!file) throw new Error('usage: edge-agent <gateway.yaml> (or set TAKT_GATEWAY_CONFIG)');
  const config = loadYamlConfig(file, gatewayConfigSchema);
  // TAKT_MQTT_URL overrides the file's broker address (the demo and tests move ports).
  const url = process.env.TAKT_MQTT_URL;
  const agent = startEdgeAgent(url ? { ...config, mqtt: { ...config.mqtt, url } } : config, {
    log,
  });
  const shutdown = (signal: string) => {
    log.info({ signal }, 'stopping');
    void agent.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  // A config error's message already names the file, line and path: print it as is.
  console.error((error as Error).message);
  process.exit(1);
}
