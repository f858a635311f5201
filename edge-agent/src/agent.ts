import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from '@takt/protocol';
import { pino, type Logger } from 'pino';
import { DeviceRunner } from './device-runner';
import { createDriver } from './drivers/registry';
import { EDGE_ERRORS, EdgeError } from './errors';
import { mapReadings, type MachineMemory } from './mapper';
import { Publisher } from './publisher';
import { SeqStore } from './seq-store';

export const AGENT_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

export interface EdgeAgentOptions {
  log?: Logger;
  /** Defaults to the environment variable the config names. */
  password?: string;
  now?: () => number;
}

export interface RunningEdgeAgent {
  stop(timeoutMs?: number): Promise<void>;
}

export function startEdgeAgent(
  config: GatewayConfig,
  options: EdgeAgentOptions = {},
): RunningEdgeAgent {
  const log = options.log ?? pino({ name: 'edge-agent' });
  const now = options.now ?? Date.now;
  const password = options.password ?? process.env[config.mqtt.passwordEnv];
  if (config.mqtt.username && !password) {
    throw new EdgeError(
      'EDGE_ERR_NO_PASSWORD',
      EDGE_ERRORS.EDGE_ERR_NO_PASSWORD(config.mqtt.passwordEnv),
    );
  }
  const seq = new SeqStore(join(config.stateDir, config.gateway.id));
  const startedAt = now();
  const runners: DeviceRunner[] = [];
  const memory = new Map<string, MachineMemory>();
  const publisher = new Publisher({
    config,
    password,
    seq,
    log,
    now,
    birth: () => ({
      version: AGENT_VERSION,
      startedAt,
      devices: runners.map((r) => ({ id: r.deviceId, connected: r.connected })),
    }),
    // After a (re)connect the next poll re-sends every state and counter: a subscriber that
    // came up while we were away learns the current picture without waiting for a heartbeat.
    onConnect: () => memory.clear(),
  });
  for (const device of config.devices) {
    const driver = createDriver(device, { log: log.child({ device: device.id }), now });
    const onReadings = (readings: Parameters<typeof mapReadings>[1]) => {
      for (const message of mapReadings(device, readings, memory, now(), config.heartbeatMs)) {
        publisher.publish(message);
      }
    };
    runners.push(
      new DeviceRunner(
        device.id,
        driver,
        device.pollIntervalMs,
        onReadings,
        () => publisher.publishBirth(),
        log,
        now,
      ),
    );
  }
  for (const runner of runners) runner.start();
  log.info({ gateway: config.gateway.id, devices: runners.length }, 'edge agent started');

  return {
    async stop(timeoutMs = 5000) {
      await Promise.all(runners.map((r) => r.stop(timeoutMs / 2)));
      await publisher.stop(timeoutMs / 2);
      log.info('edge agent stopped');
    },
  };
}
