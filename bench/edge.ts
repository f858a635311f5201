import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startBroker } from '@takt/broker';
import { freePort, SIM_OPCUA_VARIABLES, simOpcuaNodeId, startOpcuaServer } from '@takt/sim';
import { ServerTCP } from 'modbus-serial';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { measure } from './process-stats';
import { printTable } from './table';

const repo = resolve(import.meta.dirname, '..');
const WARMUP_MS = 5000;
const MEASURE_MS = 15_000;
const MODBUS_DEVICES = 10;
const OPCUA_MACHINES = 125; // × 4 variables = 500 monitored items
const TAGS_PER_DEVICE = 100;
const silent = pino({ level: 'silent' });

export interface Scenario {
  name: string;
  tags: number;
  devices: unknown[];
}

export interface ScenarioResult {
  name: string;
  tags: number;
  readingsPerSec: number;
  cpuPercentOfCore: number;
  rssMb: number;
}

/** 100 tags per device: uint16, int32 and float32 registers, read in block requests. */
function modbusTags(machine: string) {
  return Array.from({ length: TAGS_PER_DEVICE }, (_, i) => {
    const type = i < 50 ? 'uint16' : i < 75 ? 'int32' : 'float32';
    const address = i < 50 ? i : 50 + (i - 50) * 2;
    return { name: `t${i}`, machine, channel: 'metric', address, type };
  });
}

/** Real Modbus TCP servers whose registers change every second. */
export async function startModbusPlcs(
  count: number,
): Promise<{ ports: number[]; stop(): Promise<void> }> {
  const servers: InstanceType<typeof ServerTCP>[] = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const value = (addr: number) => (Math.floor(Date.now() / 1000) * 7 + addr) & 0xffff;
    const server = new ServerTCP(
      {
        getHoldingRegister: value,
        getMultipleHoldingRegisters: (a: number, n: number) =>
          Array.from({ length: n }, (_, k) => value(a + k)),
      },
      { host: '127.0.0.1', port, unitID: 255 },
    );
    await new Promise((r) => server.once('initialized', r));
    servers.push(server);
    ports.push(port);
  }
  return {
    ports,
    stop: async () => void (await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))),
  };
}

export function modbusScenario(ports: number[]): Scenario {
  return {
    name: `modbus-tcp: ${ports.length * TAGS_PER_DEVICE} tags, ${ports.length} devices, 1 s poll`,
    tags: ports.length * TAGS_PER_DEVICE,
    devices: ports.map((port, i) => ({
      id: `plc-${i}`,
      driver: 'modbus-tcp',
      host: '127.0.0.1',
      port,
      pollIntervalMs: 1000,
      tags: modbusTags(`machine-${i}`),
    })),
  };
}

/** One OPC UA server whose 500 variables change every second (state codes cycle too). */
export async function startOpcuaPlant(dir: string) {
  return startOpcuaServer({
    pkiDir: join(dir, 'server-pki'),
    log: silent,
    machines: Array.from({ length: OPCUA_MACHINES }, (_, i) => ({
      id: `ua-${i}`,
      values: () => {
        const s = Math.floor(Date.now() / 1000);
        const states = ['running', 'idle', 'down'] as const;
        return {
          good: s + i,
          reject: Math.floor(s / 10),
          state: states[(s + i) % 3]!,
          temperatureC: 40 + ((s + i) % 20) / 2,
        };
      },
    })),
  });
}

export function opcuaScenario(endpointUrl: string): Scenario {
  const channel = {
    GoodCount: 'count.good',
    RejectCount: 'count.reject',
    State: 'metric',
    Temperature: 'metric',
  } as const;
  return {
    name: `opcua: ${OPCUA_MACHINES * SIM_OPCUA_VARIABLES.length} monitored items, 1 s sampling`,
    tags: OPCUA_MACHINES * SIM_OPCUA_VARIABLES.length,
    devices: [
      {
        id: 'ua',
        driver: 'opcua',
        endpointUrl,
        securityMode: 'None', // the sim on loopback
        publishingIntervalMs: 1000,
        tags: Array.from({ length: OPCUA_MACHINES }, (_, i) =>
          SIM_OPCUA_VARIABLES.map((v) => ({
            name: `m${i}_${v}`,
            machine: `ua-${i}`,
            channel: channel[v],
            nodeId: simOpcuaNodeId(`ua-${i}`, v),
            samplingIntervalMs: 1000,
          })),
        ).flat(),
      },
    ],
  };
}

export const idleScenario: Scenario = {
  name: 'idle: one simulated tag, 60 s poll',
  tags: 1,
  devices: [
    {
      id: 'idle',
      driver: 'simulated',
      machine: 'idle',
      pollIntervalMs: 60_000,
      tags: [{ name: 'x', channel: 'metric', signal: { kind: 'constant', value: 1 } }],
    },
  ],
};

/** The node flags of the Pi's systemd unit, so the bench measures what a gateway runs. */
export function unitNodeFlags(): string[] {
  const unit = readFileSync(join(repo, 'firmware-configs/pi/takt-edge.service'), 'utf8');
  const exec = /^ExecStart=\S+ (.*) \S+edge-agent\.mjs$/m.exec(unit);
  if (!exec) throw new Error('no ExecStart with edge-agent.mjs in takt-edge.service');
  return exec[1]!.split(/\s+/).filter((f) => f.startsWith('--'));
}

/** Run the real agent as its own process on `scenario` and measure it. */
export async function runAgent(
  scenario: Scenario,
  mqttUrl: string,
  count: { readings: number },
): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'takt-bench-edge-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(
    file,
    stringify({
      gateway: { id: 'gw-bench', site: 'bench' },
      mqtt: { url: mqttUrl },
      stateDir: dir,
      devices: scenario.devices,
    }),
  );
  const child = spawn(
    process.execPath,
    // The bundle a gateway runs (npm run build makes it), with the systemd unit's node flags.
    [...unitNodeFlags(), join(repo, 'edge-agent/dist/edge-agent.mjs'), file],
    {
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    count.readings = 0;
    const stats = await measure(child.pid!, MEASURE_MS);
    return {
      name: scenario.name,
      tags: scenario.tags,
      readingsPerSec: Math.round(count.readings / (MEASURE_MS / 1000)),
      cpuPercentOfCore: Number(stats.cpuPercentOfCore.toFixed(1)),
      rssMb: Number(stats.rssMb.toFixed(1)),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

export async function withCountingBroker<T>(
  fn: (mqttUrl: string, count: { readings: number }) => Promise<T>,
): Promise<T> {
  const broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [],
    allowAnonymous: true,
    log: silent,
  });
  const mqttUrl = `mqtt://127.0.0.1:${broker.port}`;
  const counter = await mqtt.connectAsync(mqttUrl);
  const count = { readings: 0 };
  counter.on('message', (topic, payload) => {
    if (topic.endsWith('/metrics'))
      count.readings += (JSON.parse(payload.toString()) as { readings: unknown[] }).readings.length;
  });
  await counter.subscribeAsync('takt/v1/#', { qos: 0 });
  try {
    return await fn(mqttUrl, count);
  } finally {
    await counter.endAsync();
    await broker.stop();
  }
}

export function printScenarios(rows: ScenarioResult[], idle: ScenarioResult): void {
  const header = ['scenario', 'tags', 'readings/s', 'CPU % of a core', 'RSS MB', 'RSS vs idle'];
  const lines = rows.map((r) => [
    r.name,
    String(r.tags),
    String(r.readingsPerSec),
    r.cpuPercentOfCore.toFixed(1),
    r.rssMb.toFixed(1),
    `${(r.rssMb / idle.rssMb).toFixed(2)}x`,
  ]);
  printTable([header, ...lines]);
}

/** `npm run bench -- edge`: the agent's CPU, memory and throughput per scenario, beside an idle agent. */
export async function benchEdge(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'takt-bench-ua-'));
  const plcs = await startModbusPlcs(MODBUS_DEVICES);
  const ua = await startOpcuaPlant(dir);
  try {
    return await withCountingBroker(async (mqttUrl, count) => {
      console.log(
        `  measuring each scenario for ${MEASURE_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up`,
      );
      const idle = await runAgent(idleScenario, mqttUrl, count);
      const modbus = await runAgent(modbusScenario(plcs.ports), mqttUrl, count);
      const opcua = await runAgent(opcuaScenario(ua.endpointUrl), mqttUrl, count);
      const rows = [idle, modbus, opcua];
      printScenarios(rows, idle);
      return {
        tags: modbus.tags,
        readingsPerSec: modbus.readingsPerSec,
        cpuPercentOfCore: modbus.cpuPercentOfCore,
        rssMb: modbus.rssMb,
        idleRssMb: idle.rssMb,
        idleCpuPercentOfCore: idle.cpuPercentOfCore,
        opcua: {
          tags: opcua.tags,
          readingsPerSec: opcua.readingsPerSec,
          cpuPercentOfCore: opcua.cpuPercentOfCore,
          rssMb: opcua.rssMb,
        },
        scenarios: rows,
      };
    });
  } finally {
    await ua.stop();
    await plcs.stop();
  }
}
