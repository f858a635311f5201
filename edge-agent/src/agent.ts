import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from '@takt/protocol';
import { pino, type Logger } from 'pino';
import { DeviceRunner } from './device-runner';
import { createDriver } from './drivers/registry';
import { EDGE_ERRORS, EdgeError } from './errors';
import { deviceTags, mapReadings, type MachineMemory } from './mapper';
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
  env?: Readonly<Record<string, string | undefined>>;
}

export interface RunningEdgeAgent {
  /**
   * Swap in new devices and tag settings without dropping the MQTT session (SIGHUP).
   * Changes to `gateway`, `mqtt` or `stateDir` need a restart and are refused.
   */
  reload(config: GatewayConfig): Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
}

const restartOnly = (c: GatewayConfig) => JSON.stringify([c.gateway, c.mqtt, c.stateDir]);

export async function startEdgeAgent(
  initial: GatewayConfig,
  options: EdgeAgentOptions = {},
): Promise<RunningEdgeAgent> {
  const log = options.log ?? pino({ name: 'edge-agent' });
  const now = options.now ?? Date.now;
  const env = options.env ?? process.env;
  const password = options.password ?? env[initial.mqtt.passwordEnv];
  if (initial.mqtt.username && !password) {
    throw new EdgeError(
      'EDGE_ERR_NO_PASSWORD',
      EDGE_ERRORS.EDGE_ERR_NO_PASSWORD(initial.mqtt.passwordEnv),
    );
  }
  const stateDir = join(initial.stateDir, initial.gateway.id);
  const seq = new SeqStore(stateDir);
  const startedAt = now();
  let config = initial;
  let runners: DeviceRunner[] = [];
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
      uptimeS: Math.floor((now() - startedAt) / 1000),
      devices: runners.map((r) => ({ id: r.deviceId, connected: r.connected })),
    }),
    // After a (re)connect the next readings re-send every state and counter: a subscriber that
    // came up while we were away learns the current picture without waiting for a heartbeat.
    onConnect: () => memory.clear(),
  });

  const startRunners = (cfg: GatewayConfig): Promise<DeviceRunner[]> =>
    Promise.all(
      cfg.devices.map(async (device) => {
        const driver = await createDriver(device, {
          log: log.child({ device: device.id }),
          now,
          stateDir,
          env,
        });
        const tags = deviceTags(device);
        const runner = new DeviceRunner(
          device.id,
          driver,
          'pollIntervalMs' in device ? device.pollIntervalMs : 0,
          {
            readings: (readings) => {
              for (const message of mapReadings(tags, readings, memory, now(), cfg.heartbeatMs))
                publisher.publish(message);
            },
            connection: (connected) => {
              log.info({ device: device.id, connected }, 'device connection changed');
              publisher.publishBirth(); // the retained status carries every device's connection
            },
          },
          log,
          now,
        );
        runner.start();
        return runner;
      }),
    );

  try {
    runners = await startRunners(config);
  } catch (error) {
    await publisher.stop(1000);
    throw error;
  }
  log.info(
    { gateway: config.gateway.id, devices: runners.length, version: AGENT_VERSION },
    'edge agent started',
  );

  return {
    async reload(next) {
      if (restartOnly(next) !== restartOnly(config)) {
        throw new Error(
          'gateway, mqtt and stateDir changes need a restart of the agent; nothing was changed',
        );
      }
      await Promise.all(runners.map((r) => r.stop(2000)));
      memory.clear();
      config = next;
      runners = await startRunners(config);
      publisher.publishBirth();
      log.info({ devices: runners.length }, 'config reloaded');
    },
    async stop(timeoutMs = 5000) {
      await Promise.all(runners.map((r) => r.stop(timeoutMs / 2)));
      await publisher.stop(timeoutMs / 2);
      log.info('edge agent stopped');
    },
  };
}
