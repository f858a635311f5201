import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from '@takt/protocol';
import { pino, type Logger } from 'pino';
import { DeviceRunner } from './device-runner';
import { createDriver } from './drivers/registry';
import { EDGE_ERRORS, EdgeError } from './errors';
import { deviceTags, mapReadings, type MachineMemory } from './mapper';
import { agentArch, deviceMachines, reportedConfigVersion } from './health';
import { Publisher } from './publisher';
import { DiskQueue, type QueueStats } from './queue/disk-queue';
import { RemoteConfig } from './remote-config';
import { SeqStore } from './seq-store';
import { SparkplugNode } from './sparkplug/edge-node';
import { AgentUpdate } from './update/agent-update';

/**
 * The installed package's version (its manifest.json, two levels above the bundle: an update
 * is judged by it, docs/decisions.md "Issue 25 — signed agent updates (gateway)"), else
 * edge-agent/package.json's when run from a checkout.
 */
export const AGENT_VERSION = ((): string => {
  for (const file of ['../../manifest.json', '../package.json']) {
    let text: string;
    try {
      text = readFileSync(new URL(file, import.meta.url), 'utf8');
    } catch {
      continue;
    }
    return (JSON.parse(text) as { version: string }).version;
  }
  throw new Error('no manifest.json or package.json beside the agent to read its version from');
})();

export interface EdgeAgentOptions {
  log?: Logger;
  /** Defaults to the environment variable the config names. */
  password?: string;
  now?: () => number;
  env?: Readonly<Record<string, string | undefined>>;
  /** Accept signed configs on the gateway's cmd topic (remote-config.ts); main.ts sets it. */
  remoteConfig?: {
    file: string;
    baseFile: string;
    publicKeyFile: string;
    parse: (text: string) => GatewayConfig;
  };
  /** Accept signed agent updates on `cmd/update` (update/agent-update.ts); main.ts sets it. */
  update?: { publicKeyFile: string; pollMs?: number; retryDelayMs?: number };
}

export interface RunningEdgeAgent {
  /**
   * Swap in new devices and tag settings without dropping the MQTT session (SIGHUP).
   * Changes to `gateway`, `mqtt` or `stateDir` need a restart and are refused.
   */
  reload(config: GatewayConfig): Promise<void>;
  /** The disk queue's figures: messages waiting for ingest's ack, bytes, losses. */
  queueStats(): QueueStats;
  stop(timeoutMs?: number): Promise<void>;
}

const restartOnly = (c: GatewayConfig) =>
  JSON.stringify([c.gateway, c.mqtt, c.stateDir, c.queue, c.sparkplug]);

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
  let ca: Buffer | undefined;
  if (initial.mqtt.caFile) {
    try {
      ca = readFileSync(initial.mqtt.caFile);
    } catch (error) {
      throw new EdgeError(
        'EDGE_ERR_CA_FILE',
        EDGE_ERRORS.EDGE_ERR_CA_FILE(initial.mqtt.caFile, (error as Error).message),
      );
    }
  }
  const stateDir = join(initial.stateDir, initial.gateway.id);
  const seq = new SeqStore(stateDir);
  const q = initial.queue;
  const queue = new DiskQueue({
    dir: q.dir ?? join(stateDir, 'queue'),
    maxBytes: q.maxBytes,
    segmentBytes: Math.min(q.segmentBytes, Math.max(4096, Math.floor(q.maxBytes / 8))),
    fsync: q.fsync,
    fsyncIntervalMs: q.fsyncIntervalMs,
    log: log.child({ part: 'queue' }),
  });
  const startedAt = now();
  let config = initial;
  let runners: DeviceRunner[] = [];
  const memory = new Map<string, MachineMemory>();
  // Sparkplug mode (docs/wire.md "Sparkplug B out"): `only` leaves Takt's own JSON path out.
  const sparkplug = initial.sparkplug
    ? new SparkplugNode({
        config: initial,
        sparkplug: initial.sparkplug,
        password,
        ca,
        stateDir,
        log: log.child({ part: 'sparkplug' }),
        now,
      })
    : undefined;
  const json = initial.sparkplug?.mode !== 'only';
  const rc = options.remoteConfig;
  // A retained command can arrive on the first connect, before the devices are up: hold it.
  let agentReady: (agent: RunningEdgeAgent) => void = () => undefined;
  const ready = new Promise<RunningEdgeAgent>((resolve) => (agentReady = resolve));
  const remote = rc
    ? new RemoteConfig({
        ...rc,
        stateDir,
        site: initial.gateway.site,
        gatewayId: initial.gateway.id,
        reload: async (next) => (await ready).reload(next),
        publish: (topic, payload) => publisher.publishResult(topic, payload),
        log: log.child({ part: 'remote-config' }),
        now,
      })
    : undefined;
  const update = options.update
    ? new AgentUpdate({
        ...options.update,
        stateDir: initial.stateDir,
        site: initial.gateway.site,
        gatewayId: initial.gateway.id,
        agentVersion: AGENT_VERSION,
        nodeArch: process.arch,
        publish: (topic, payload, done) => publisher.publishResult(topic, payload, done),
        log: log.child({ part: 'update' }),
        now,
      })
    : undefined;
  const commandHandlers = new Map<string, (payload: Buffer) => void>();
  if (remote) commandHandlers.set(remote.topic, (p) => void remote.handle(p));
  if (update)
    commandHandlers.set(update.topic, (p) => {
      update.handle(p).catch((error: Error) => log.error({ err: error.message }, 'update failed'));
    });
  const publisher = new Publisher({
    config,
    password,
    ca,
    seq,
    queue,
    log,
    now,
    birth: () => ({
      version: AGENT_VERSION,
      configVersion: reportedConfigVersion(config, rc && { file: rc.file, stateDir }),
      arch: agentArch(),
      startedAt,
      uptimeS: Math.floor((now() - startedAt) / 1000),
      devices: runners.map((r) => {
        const device = config.devices.find((d) => d.id === r.deviceId);
        return {
          id: r.deviceId,
          connected: r.connected,
          machines: device ? deviceMachines(device) : [],
        };
      }),
      // Ingest holds a state this long before counting no data (docs/production-model.md).
      heartbeatMs: config.heartbeatMs,
    }),
    // After a (re)connect the next readings re-send every state and counter: a subscriber that
    // came up while we were away learns the current picture without waiting for a heartbeat.
    onConnect: () => {
      memory.clear();
      update?.connected(); // online.json: the root updater waits for it after a restart
    },
    ...(commandHandlers.size > 0
      ? {
          commands: {
            topics: [...commandHandlers.keys()],
            onMessage: (t: string, p: Buffer) => commandHandlers.get(t)?.(p),
          },
        }
      : {}),
  });

  /** Every device's runner, not started; if one driver cannot be made, none is left behind. */
  const createRunners = async (cfg: GatewayConfig): Promise<DeviceRunner[]> => {
    const made = await Promise.allSettled(
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
              // One poll, one append to the disk queue (SD-card friendly).
              const out = mapReadings(tags, readings, memory, now(), cfg.heartbeatMs);
              if (json) publisher.enqueue(out);
              sparkplug?.publishMessages(out);
            },
            connection: (connected) => {
              log.info({ device: device.id, connected }, 'device connection changed');
              publisher.publishBirth(); // the retained status carries every device's connection
              sparkplug?.deviceConnection(device.id, connected);
            },
          },
          log,
          now,
        );
        return runner;
      }),
    );
    const failed = made.find((m): m is PromiseRejectedResult => m.status === 'rejected');
    if (failed) {
      await Promise.all(
        made.map((m) => (m.status === 'fulfilled' ? m.value.stop(1000) : undefined)),
      );
      throw failed.reason;
    }
    return made.map((m) => (m as PromiseFulfilledResult<DeviceRunner>).value);
  };

  try {
    runners = await createRunners(config);
    for (const runner of runners) runner.start();
  } catch (error) {
    await Promise.all([publisher.stop(1000), sparkplug?.stop(1000)]);
    throw error;
  }
  log.info(
    { gateway: config.gateway.id, devices: runners.length, version: AGENT_VERSION },
    'edge agent started',
  );

  // Reloads run one after another: two quick SIGHUPs must not leave two sets of pollers.
  let reloading: Promise<void> = Promise.resolve();
  const reload = async (next: GatewayConfig): Promise<void> => {
    if (restartOnly(next) !== restartOnly(config)) {
      throw new Error(
        'gateway, mqtt, stateDir and queue changes need a restart of the agent; nothing was changed',
      );
    }
    const fresh = await createRunners(next); // the old devices keep running if this fails
    await Promise.all(runners.map((r) => r.stop(2000)));
    memory.clear();
    config = next;
    runners = fresh;
    for (const runner of runners) runner.start();
    publisher.publishBirth();
    sparkplug?.reload(next.devices);
    log.info({ devices: runners.length }, 'config reloaded');
  };

  const agent: RunningEdgeAgent = {
    queueStats: () => queue.stats(),
    reload(next) {
      const done = reloading.then(() => reload(next));
      reloading = done.catch(() => undefined);
      return done;
    },
    async stop(timeoutMs = 5000) {
      update?.stop();
      await Promise.all(runners.map((r) => r.stop(timeoutMs / 2)));
      await Promise.all([publisher.stop(timeoutMs / 2), sparkplug?.stop(timeoutMs / 2)]);
      log.info('edge agent stopped');
    },
  };
  update?.start(publisher.connected);
  agentReady(agent);
  return agent;
}
