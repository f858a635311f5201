import type { Scenario } from '@takt/protocol';
import { pino, type Logger } from 'pino';
import { freePort } from './free-port';
import { simulateMachine, toRegisters, type SimValues } from './machine-model';
import { startOpcuaServer, type OpcuaServerOptions, type SimOpcuaServer } from './opcua-server';
import { startPlcServer, type PlcServer } from './plc-server';

export interface SimMachine {
  readonly id: string;
  readonly port: number;
  readonly unitId: number;
  /** The values the PLC serves right now. */
  values(): SimValues;
  /** Pin the PLC's values (tests): they stay until `release()`. */
  pin(values: SimValues): void;
  release(): void;
}

export interface RunningSim {
  readonly machines: ReadonlyMap<string, SimMachine>;
  /** The machines over OPC UA too, when `startSim` was given `opcua`. */
  readonly opcua?: SimOpcuaServer;
  stop(): Promise<void>;
}

export interface SimOptions {
  log?: Logger;
  now?: () => number;
  /** Also serve every machine's values over OPC UA (see opcua-server.ts). */
  opcua?: Omit<OpcuaServerOptions, 'machines' | 'log'>;
}

/** The virtual factory: one real Modbus TCP PLC per scenario machine, optionally OPC UA too. */
export async function startSim(scenario: Scenario, options: SimOptions = {}): Promise<RunningSim> {
  const log = options.log ?? pino({ name: 'sim' });
  const now = options.now ?? Date.now;
  const startedAt = now();
  const machines = new Map<string, SimMachine>();
  const servers: Array<PlcServer | SimOpcuaServer> = [];
  let opcua: SimOpcuaServer | undefined;
  try {
    for (const spec of scenario.machines) {
      let pinned: SimValues | undefined;
      const values = () => pinned ?? simulateMachine(spec, now() - startedAt);
      const port = spec.port === 0 ? await freePort(scenario.host) : spec.port;
      const server = await startPlcServer(
        scenario.host,
        port,
        spec.unitId,
        () => toRegisters(values()),
        log,
      );
      servers.push(server);
      machines.set(spec.id, {
        id: spec.id,
        port: server.port,
        unitId: spec.unitId,
        values,
        pin: (v) => (pinned = { ...v }),
        release: () => (pinned = undefined),
      });
      log.info({ machine: spec.id, host: scenario.host, port: server.port }, 'sim PLC listening');
    }
    if (options.opcua) {
      opcua = await startOpcuaServer({ ...options.opcua, machines: [...machines.values()], log });
      servers.push(opcua);
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  return {
    machines,
    ...(opcua ? { opcua } : {}),
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
